// The "flash" backend: a raw partition of the MCU's internal flash through
// require("Flash"), at board.start .. board.start+board.size (absolute addresses).
//
// Espruino's Flash.write and Flash.erasePage report nothing (a protected or failed
// operation is silent), so every program and erase is read back here and a mismatch is
// reported as EIO, as the Flash contract asks (src/core/flash.ts). Device code.

import type { BoardDefinition } from "../src/boards/schema.js";
import { flashError } from "../src/core/flash.js";
import type { Flash } from "../src/core/flash.js";
import type { EspFlash } from "./espruino.js";
import { boardGeometry, builtin, checkRange, verifyErased, verifyProgram } from "./flash-util.js";

/** Opens the partition; throws EINVAL when the chip's page layout differs from the board file. */
export function internalFlash(b: BoardDefinition): Flash {
  const F = builtin<EspFlash>("Flash");
  const g = boardGeometry(b);
  const base = b.start;
  for (let a = base; a < base + g.size; a += g.eraseSize) {
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
  const read = (a: number, n: number): Uint8Array => {
    checkRange(g, a, n, 1, 0);
    return n ? F.read(n, base + a) : new Uint8Array(0);
  };
  return {
    geometry: g,
    read: read,
    program: (a: number, d: Uint8Array): void => {
      checkRange(g, a, d.length, g.progUnit, g.pageSize);
      if (!d.length) return;
      F.write(d, base + a);
      verifyProgram(read(a, d.length), d, a);
    },
    erase: (a: number): void => {
      checkRange(g, a, g.eraseSize, g.eraseSize, 0);
      F.erasePage(base + a);
      verifyErased(read, a, g.eraseSize);
    },
  };
}
