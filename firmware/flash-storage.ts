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
// replaces the file (the old one becomes Storage trash until compaction).
//
// The methods are module functions over `this` (the backend object), not closures: one
// copy of each, and no factory scope kept alive (docs/FOOTPRINT.md). Device code.

import { boardGeometry } from "../src/boards/geometry.js";
import type { BoardDefinition } from "../src/boards/schema.js";
import { flashError } from "../src/core/flash.js";
import type { Flash, FlashGeometry } from "../src/core/flash.js";
import { builtin, checkRange } from "./flash-util.js";

const MARK = "MTDBLOCK";
const H = 8;

export interface StorageBackend extends Flash {
  /** File name prefix. */
  readonly _p: string;
  /**
   * When set (the mount's own backend, firmware/mount.ts): each block file as Storage
   * returned it, by block index, so that a read does not search Storage for the file again
   * (about 0.1 L per search on the Linux build). Emptied by every write and erase, which
   * can move a file; never kept past one synchronous run, since the app's own Storage
   * writes can move files between runs.
   */
  _f?: Array<string | undefined>;
}

/** The Storage file of the block holding partition address `a`. */
function blockFile(f: StorageBackend, a: number): string {
  return f._p + Math.floor(a / f.geometry.eraseSize);
}

function storageRead(this: StorageBackend, a: number, n: number): Uint8Array {
  const es = this.geometry.eraseSize;
  checkRange(this.geometry, a, n, 1, 0);
  let out: Uint8Array | undefined;
  for (let o = 0; o < n;) {
    const at = a + o;
    const k = Math.min(n - o, es - (at % es));
    const files = this._f;
    const blk = Math.floor(at / es);
    let s = files ? files[blk] : undefined;
    if (s === undefined) {
      s = builtin<StorageModule>("Storage").read(blockFile(this, at));
      if (files) files[blk] = s;
    }
    if (s === undefined || s.length !== es + H)
      throw flashError("EIO", "Storage file " + blockFile(this, at) + " is missing or short");
    // Copied out of a view of the string (E.toArrayBuffer, native) in one call: where
    // Storage is not memory-mapped, each element read from such a view is a flash access
    // of its own (0.035 L per byte on the Linux build), and the log reads headers byte
    // by byte.
    if (!out) out = new Uint8Array(n);
    out.set(new Uint8Array(E.toArrayBuffer(s), H + (at % es), k), o);
    o += k;
  }
  return out || new Uint8Array(0);
}

/**
 * The CRC-32 of [a, a+n) taken on the block file's own string: E.CRC32 walks a Storage
 * string where it lies (16 bytes per flash read where Storage is not memory-mapped), where
 * read() copies it into a new array first. The log checks every record it writes and
 * every block it erases this way (Flash crc32 in src/core/flash.ts); on the Linux build the
 * copy was 0.1-0.15 L of each check. A range that is not whole bytes of one block (empty,
 * across blocks, outside the partition: the log asks none) goes through read(), which
 * checks it: the test here is the one the log's calls pass through, each lexed at every
 * call on the board.
 */
function storageCrc(this: StorageBackend, a: number, n: number): number {
  const es = this.geometry.eraseSize;
  if (!(
    n > 0 &&
    a >= 0 &&
    a % 1 === 0 &&
    n % 1 === 0 &&
    (a % es) + n <= es &&
    a + n <= this.geometry.size
  ))
    return E.CRC32(this.read(a, n));
  const f = this._f ? this._f[Math.floor(a / es)] : undefined;
  // Storage.read(name, offset, length) clips to the file (src/jsflash.c jsfReadFile).
  const s =
    f !== undefined
      ? f.substr(H + (a % es), n)
      : builtin<StorageModule>("Storage").read(blockFile(this, a), H + (a % es), n);
  if (s === undefined || s.length !== n)
    throw flashError("EIO", "Storage file " + blockFile(this, a) + " is missing or short");
  return E.CRC32(s);
}

/**
 * Writes into the block's file: `d` at its offset, or with `d` null, re-creates the file
 * (the erase). Storage throws or returns false when it is full; an error with a `code` is
 * not Storage's (the simulator's power cut) and goes on up.
 */
function storageWrite(f: StorageBackend, a: number, d: Uint8Array | null): void {
  const es = f.geometry.eraseSize;
  let ok = false;
  if (f._f) f._f = [];
  try {
    // The bytes themselves, not a string copy: Storage writes from the typed array's own
    // memory (src/jsflash.c jsfWriteFile, JSV_GET_AS_CHAR_ARRAY), so a record's write
    // allocates nothing.
    ok = d
      ? builtin<StorageModule>("Storage").write(blockFile(f, a), d, H + (a % es))
      : builtin<StorageModule>("Storage").write(blockFile(f, a), MARK, 0, es + H);
  } catch (e) {
    if ((e as { code?: string }).code) throw e;
  }
  if (!ok) throw flashError("EIO", "Storage write to " + blockFile(f, a) + " failed");
}

function storageProgram(this: StorageBackend, a: number, d: Uint8Array): void {
  const g = this.geometry;
  checkRange(g, a, d.length, g.progUnit, g.pageSize);
  if (!d.length) return;
  // No read-back: Storage itself refuses a write into bytes that are not erased ("File
  // already written with different data") and storageWrite() checks its result, while a
  // read-back costs 0.7 L per KB on the Linux build (a view of a Storage string is walked
  // byte by byte by E.CRC32), more than the whole write. The log's deferred path reads
  // its records back anyway (log-core.ts writeDump).
  storageWrite(this, a, d);
}

function storageErase(this: StorageBackend, a: number): void {
  const es = this.geometry.eraseSize;
  checkRange(this.geometry, a, es, es, 0);
  // No read-back either: the new file is made in space Storage keeps erased (src/jsflash.c
  // jsfCreateFile) and storageWrite() checks its result, and the log reads every block it
  // erases back itself before it writes there (log-core.ts eraseAhead; a block the mount
  // re-created is checked the same way before its first use). Reading the 4 KB here as
  // well cost each erase about 4 L on the Linux build.
  storageWrite(this, a, null);
}

/**
 * Re-creates each block file that is missing, foreign or of the wrong size (a power cut
 * between the old file's removal and the new one's creation, a changed board file). The
 * mount module runs it at every boot. Each file is looked up once: its length is in
 * Storage's file header, and its marker is one read. A file that passes is kept in the
 * backend's file list when it has one (`_f`), so that the mount's reads do not look it up
 * again: each lookup walks Storage's file table (src/jsflash.c jsfFindFile), about 9
 * flash reads on the Linux build and more on a board with many files.
 */
export function repairBlockFiles(f: StorageBackend, prefix: string): void {
  const g = f.geometry;
  const S = builtin<StorageModule>("Storage");
  for (let a = 0; a < g.size; a += g.eraseSize) {
    const s = S.read(prefix + a / g.eraseSize);
    if (s === undefined || s.length !== g.eraseSize + H || s.substr(0, H) !== MARK) f.erase(a);
    else if (f._f) f._f[a / g.eraseSize] = s;
  }
}

/** The backend over the block files `prefix` + index, whose geometry is `g`. */
export function storageBackend(g: FlashGeometry, prefix: string): StorageBackend {
  const f: StorageBackend = {
    geometry: g,
    read: storageRead,
    crc32: storageCrc,
    program: storageProgram,
    erase: storageErase,
    _p: prefix,
  };
  return f;
}

/**
 * Opens the partition as it is: the mount module checks the block files at every boot and
 * re-creates damaged ones (repairBlockFiles), before anything else reads them.
 */
export function storageFlash(b: BoardDefinition): Flash {
  return storageBackend(boardGeometry(b), b.storagePrefix || "mtdoops");
}
