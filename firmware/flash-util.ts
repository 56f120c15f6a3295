// Helpers the flash backends share. Device code (docs/DIALECT.md): no hoisting, no
// destructuring, no default/rest parameters, no spread. Bundled into the firmware's
// modules (env.ts), not into the resident .boot0.

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
 * Reads [addr, addr+n) back, 256 bytes at a time, and throws EIO unless it holds what the
 * operation must have left: with `data`, a program (NOR's AND: every bit `data` clears reads
 * 0); with null, an erase (every byte 0xFF). Espruino's Flash and Storage report no failure.
 */
export function checkLanded(flash: Flash, addr: number, n: number, data: Uint8Array | null): void {
  for (let o = 0; o < n; o += 256) {
    const got = flash.read(addr + o, Math.min(256, n - o));
    for (let i = 0; i < got.length; i++) {
      const v = got[i] as number;
      if (data ? (v & (data[o + i] as number)) !== v : v !== 255)
        throw flashError("EIO", (data ? "program" : "erase") + " did not land at " + (addr + o + i));
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
