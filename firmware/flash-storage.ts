// The "storage" backend, for boards whose flash is all Storage (Linux, Bangle.js 2, Pico):
// one pre-allocated Storage file per erase block, named board.storagePrefix + block index.
//
// Storage semantics (verified on the Linux build, docs/FIRMWARE.md): write(name, data, 0,
// size) creates a file of `size` bytes, the rest 0xFF; write(name, data, offset) with
// offset > 0 writes in place, but only into bytes that are still 0xFF ("File already
// written with different data" otherwise); a write at offset 0 into an existing file that
// is not all 0xFF replaces the whole file. So a file behaves like an erased NOR block that
// can be programmed once per unit, and "erase" is re-creating it.
//
// Each file starts with an 8-byte marker, then eraseSize bytes of block data: the marker
// keeps every program at an offset > 0 (an in-place write) and keeps the data aligned as
// the file itself is. Erasing writes the marker at offset 0 with the full size, which
// replaces the file (the old one becomes Storage trash until compaction). Device code.

import type { BoardDefinition } from "../src/boards/schema.js";
import { flashError } from "../src/core/flash.js";
import type { Flash } from "../src/core/flash.js";
import type { EspE, EspStorage } from "./espruino.js";
import { boardGeometry, builtin, checkRange, verifyErased, verifyProgram } from "./flash-util.js";

declare const E: EspE;

const MARK = "MTDBLOCK";
const H = 8;

export function storageFlash(b: BoardDefinition): Flash {
  const S = builtin<EspStorage>("Storage");
  const g = boardGeometry(b);
  const es = g.eraseSize;
  const prefix = b.storagePrefix || "mtdoops";
  const name = (a: number): string => prefix + Math.floor(a / es);
  // Re-creating the file is the erase; Storage throws or returns false when it is full.
  const create = (a: number): void => {
    let ok = false;
    try {
      ok = S.write(name(a), MARK, 0, es + H);
    } catch (e) {
      if ((e as { code?: string }).code) throw e; // not a Storage error (the simulator's power cut)
    }
    if (!ok) throw flashError("EIO", "cannot create Storage file " + name(a));
  };
  const read = (a: number, n: number): Uint8Array => {
    checkRange(g, a, n, 1, 0);
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const at = a + o;
      const k = Math.min(n - o, es - (at % es));
      const s = S.read(name(at), H + (at % es), k);
      if (s === undefined || s.length !== k)
        throw flashError("EIO", "Storage file " + name(at) + " is missing or short");
      out.set(E.toUint8Array(s), o);
      o += k;
    }
    return out;
  };
  // A block whose file is missing, foreign or of the wrong size (a power cut between the
  // old file's removal and the new one's creation, a changed board file) is re-created.
  for (let a = 0; a < g.size; a += es) {
    const n = name(a);
    const tail = S.read(n, es + H - 1, 2);
    if (tail === undefined || tail.length !== 1 || S.read(n, 0, H) !== MARK) create(a);
  }
  return {
    geometry: g,
    read: read,
    program: (a: number, d: Uint8Array): void => {
      checkRange(g, a, d.length, g.progUnit, g.pageSize);
      if (!d.length) return;
      let ok = false;
      try {
        ok = S.write(name(a), E.toString(d) as string, H + (a % es));
      } catch (e) {
        if ((e as { code?: string }).code) throw e;
      }
      if (!ok) throw flashError("EIO", "Storage write to " + name(a) + " failed");
      verifyProgram(read(a, d.length), d, a);
    },
    erase: (a: number): void => {
      checkRange(g, a, es, es, 0);
      create(a);
      verifyErased(read, a, es);
    },
  };
}
