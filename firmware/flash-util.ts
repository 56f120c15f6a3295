// Helpers the three flash backends share. Device code (docs/DIALECT.md): no hoisting, no
// destructuring, no default/rest parameters, no spread.

import type { BoardDefinition } from "../src/boards/schema.js";
import { flashError } from "../src/core/flash.js";
import type { FlashGeometry } from "../src/core/flash.js";
import type { EspStorage } from "./espruino.js";

export function boardGeometry(b: BoardDefinition): FlashGeometry {
  return {
    size: b.size,
    eraseSize: b.eraseSize,
    progUnit: b.progUnit,
    pageSize: b.pageSize,
    erasedValue: 255,
  };
}

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
 * Program verification that allows NOR's AND semantics: every bit that `data` clears must
 * read back as 0. Throws EIO otherwise.
 */
export function verifyProgram(got: Uint8Array, data: Uint8Array, addr: number): void {
  for (let i = 0; i < data.length; i++)
    if (((got[i] as number) & (data[i] as number)) !== got[i])
      throw flashError("EIO", "program did not land at " + (addr + i));
}

/** Reads [addr, addr+len) back in 256-byte chunks; throws EIO unless every byte is 0xFF. */
export function verifyErased(
  read: (a: number, n: number) => Uint8Array,
  addr: number,
  len: number,
): void {
  for (let a = addr; a < addr + len; a += 256) {
    const b = read(a, Math.min(256, addr + len - a));
    for (let i = 0; i < b.length; i++)
      if (b[i] !== 255) throw flashError("EIO", "erase did not land at " + (a + i));
  }
}

/**
 * Espruino's require(name) for a built-in module, called through `global` so that the
 * bundler does not try to resolve "Flash", "Storage" or "heatshrink" as files.
 */
export function builtin<T>(name: string): T {
  return (global as unknown as { require: (n: string) => T }).require(name);
}

/**
 * Runs a module the build installed as a Storage file (docs/FIRMWARE.md, "Files") and
 * returns its value (the module's default export). Its code stays in flash; what it
 * creates is freed once the caller drops the value. Throws when the file is missing.
 */
export function lib<T>(name: string): T {
  const s = builtin<EspStorage>("Storage").read(name);
  if (s === undefined) throw new Error(name + " missing");
  return (global as unknown as { eval: (code: string) => T }).eval(s);
}
