// The "flash" backend: a raw partition of the MCU's internal flash through
// require("Flash"), at board.start .. board.start+board.size (absolute addresses).
//
// Espruino's Flash.write and Flash.erasePage report nothing (a protected or failed
// operation is silent), so every program and erase is read back here and a mismatch is
// reported as EIO, as the Flash contract asks (src/core/flash.ts). The methods are module
// functions over `this` (the backend object), not closures (docs/FOOTPRINT.md). Device code.

import { boardGeometry } from "../src/boards/geometry.js";
import type { BoardDefinition } from "../src/boards/schema.js";
import { flashError } from "../src/core/flash.js";
import type { Flash } from "../src/core/flash.js";
import { builtin, checkLanded, checkRange } from "./flash-util.js";

interface InternalBackend extends Flash {
  /** Absolute address of the partition. */
  readonly _base: number;
}

function internalRead(this: InternalBackend, a: number, n: number): Uint8Array {
  checkRange(this.geometry, a, n, 1, 0);
  return n ? builtin<FlashModule>("Flash").read(n, this._base + a) : new Uint8Array(0);
}

function internalProgram(this: InternalBackend, a: number, d: Uint8Array): void {
  const g = this.geometry;
  checkRange(g, a, d.length, g.progUnit, g.pageSize);
  if (!d.length) return;
  builtin<FlashModule>("Flash").write(d, this._base + a);
  checkLanded(this, a, d.length, d);
}

function internalErase(this: InternalBackend, a: number): void {
  const es = this.geometry.eraseSize;
  checkRange(this.geometry, a, es, es, 0);
  builtin<FlashModule>("Flash").erasePage(this._base + a);
  checkLanded(this, a, es, null);
}

/** Opens the partition; throws EINVAL when the chip's page layout differs from the board file. */
export function internalFlash(b: BoardDefinition): Flash {
  const F = builtin<FlashModule>("Flash");
  const g = boardGeometry(b);
  for (let a = b.start; a < b.start + g.size; a += g.eraseSize) {
    const p = F.getPage(a);
    if (!p || p.addr !== a || p.length !== g.eraseSize)
      throw flashError(
        "EINVAL",
        "flash page at 0x" +
          a.toString(16) +
          " is " +
          (p ? p.length + " bytes at 0x" + p.addr.toString(16) : "missing") +
          ", the board file says " +
          g.eraseSize,
      );
  }
  const f: InternalBackend = {
    geometry: g,
    read: internalRead,
    program: internalProgram,
    erase: internalErase,
    _base: b.start,
  };
  return f;
}
