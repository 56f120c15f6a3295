// Helpers the flash backends share. Device code (docs/DIALECT.md): no hoisting, no
// destructuring, no default/rest parameters, no spread. Bundled into the resident .boot0
// with the board's backend (env.ts).

import { flashError } from "../src/core/flash.js";
import type { Flash, FlashGeometry } from "../src/core/flash.js";

/**
 * Throws EINVAL unless [addr, addr+len) lies in the partition, both are multiples of
 * `unit`, and, when `page` is given, the range stays inside one `page`-sized page.
 */
export function checkRange(
  g: FlashGeometry,
  addr: number,
  len: number,
  unit: number,
  page: number,
): void {
  if (
    !(addr >= 0 && len >= 0 && addr + len <= g.size && addr % unit === 0 && len % unit === 0) ||
    (page && len && Math.floor(addr / page) !== Math.floor((addr + len - 1) / page))
  )
    throw flashError("EINVAL", "bad flash range " + addr + "+" + len);
}

/**
 * Reads [addr, addr+n) back and throws EIO unless it holds what the operation must have
 * left: with `data`, a program (the units were erased, so the bytes read back are `data`);
 * with null, an erase (every byte 0xFF). Espruino's Flash and Storage report no failure.
 * Compared by E.CRC32, LANDED bytes at a time: one native call where a byte loop would
 * cost the board milliseconds per record (CRC-32 tells apart any two chunks within 3
 * flipped bits up to 91607 bits; DESIGN.md, "Empty means every byte erased"). 1 KB, not
 * less: each pass calls the backend's read, whose code the board lexes again at every
 * call, so a 4 KB block takes four passes, not sixteen; and a record's write already
 * holds a slot of 1 KB or more in RAM.
 */
const LANDED = 1024;
/** E.CRC32 of LANDED bytes of 0xFF (measured on the interpreter), so that an erase check allocates nothing to make it. */
export const ERASED_CRC = 0xb83afff4;

export function checkLanded(flash: Flash, addr: number, n: number, data: Uint8Array | null): void {
  for (let o = 0; o < n; o += LANDED) {
    const k = Math.min(LANDED, n - o);
    const got = E.CRC32(flash.read(addr + o, k));
    if (got !== (data ? E.CRC32(data.subarray(o, o + k)) : k === LANDED ? ERASED_CRC : -1)) {
      // Not what was written: NOR programs AND, so a unit programmed before (outside the
      // contract, but the contract tests it) reads back with fewer bits set. Only a bit
      // that `data` cleared and that still reads 1 is a failure.
      const b = flash.read(addr + o, k);
      for (let i = 0; i < k; i++)
        if (
          data
            ? ((b[i] as number) & (data[o + i] as number)) !== (b[i] as number)
            : (b[i] as number) !== 255
        )
          throw flashError(
            "EIO",
            (data ? "program" : "erase") + " did not land at " + (addr + o + i),
          );
    }
  }
}

/**
 * Espruino's require(name) for a built-in module, called through `global` so that the
 * bundler does not try to resolve "Flash", "Storage" or "heatshrink" as files.
 */
export function builtin<T>(name: string): T {
  return (global as unknown as { require: (n: string) => T }).require(name);
}
