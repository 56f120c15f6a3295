// Espruino's Storage for the virtual board: files with Espruino's pre-allocation
// semantics (src/jsflash.c), the partition's block files backed by the SimulatedNorFlash.
// Host-only.

import { programAligned } from "./nor-flash.js";
import type { SimulatedNorFlash } from "./nor-flash.js";
import { fromLatin1, latin1 } from "./espruino-values.js";

/** Files named prefix + N (N < the flash's blocks) keep their last eraseSize bytes in block N. */
export interface StorageBacking {
  prefix: string;
  flash: SimulatedNorFlash;
}

interface StorageFile {
  size: number;
  /** The bytes not on the backing flash: all of a plain file, the leading bytes of a backed one. */
  ram: Uint8Array;
  /** Backing block, or -1. */
  block: number;
}

/** Bytes each file costs in the Storage area besides its data (JsfFileHeader). */
const FILE_HEADER = 32;

/**
 * Espruino's Storage (src/jsflash.c, jsfWriteFile/jsfReadFile), persisting across the
 * virtual board's reboots. Writes follow the real rules:
 * - write(name, data) / write(name, data, 0, size) with no file, or a file of another size,
 *   or one that is not all 0xFF: a new file (the old one becomes trash); same size, all
 *   0xFF: the file is reused; the same size and exactly the same data: nothing happens;
 * - write(name, data, offset > 0): into the existing file, and only into bytes that are
 *   still 0xFF ("File already written with different data" otherwise);
 * - read(name, offset, length) clips to the file; length <= 0 reads to the end.
 * With a backing, files named prefix+N of at least the flash's erase size live on its
 * block N: creating one erases the block, writing programs it, reading reads it (so power
 * cuts, timing and faults of the SimulatedNorFlash apply to them).
 */
export class VirtualStorage {
  readonly totalBytes: number;
  backing: StorageBacking | undefined;
  private files = new Map<string, StorageFile>();
  private trash = 0;
  private trashFiles = 0;

  constructor(options: { totalBytes?: number; backing?: StorageBacking } = {}) {
    this.totalBytes = options.totalBytes ?? 256 * 1024;
    this.backing = options.backing;
  }

  list(): string[] {
    return [...this.files.keys()];
  }

  size(name: string): number | undefined {
    return this.files.get(name)?.size;
  }

  stats(): {
    totalBytes: number;
    freeBytes: number;
    fileBytes: number;
    fileCount: number;
    trashBytes: number;
    trashCount: number;
  } {
    let used = 0;
    for (const f of this.files.values()) used += f.size + FILE_HEADER;
    return {
      totalBytes: this.totalBytes,
      freeBytes: this.totalBytes - used - this.trash,
      fileBytes: used,
      fileCount: this.files.size,
      trashBytes: this.trash,
      trashCount: this.trashFiles,
    };
  }

  compact(): void {
    this.trash = 0;
    this.trashFiles = 0;
  }

  private backedBlock(name: string, size: number): number {
    const b = this.backing;
    if (!b || !name.startsWith(b.prefix)) return -1;
    const rest = name.slice(b.prefix.length);
    if (!/^[0-9]+$/.test(rest)) return -1;
    const n = Number(rest);
    return n < b.flash.blockCount && size >= b.flash.geometry.eraseSize ? n : -1;
  }

  private lead(f: StorageFile): number {
    return f.block < 0
      ? f.size
      : f.size - (this.backing as StorageBacking).flash.geometry.eraseSize;
  }

  /** Bytes [off, off+len) of a file, out of band for the flash part when `peek`. */
  private bytes(f: StorageFile, off: number, len: number, peek: boolean): Uint8Array {
    const out = new Uint8Array(len);
    const lead = this.lead(f);
    for (let i = 0; i < len && off + i < lead; i++) out[i] = f.ram[off + i] as number;
    if (off + len > lead) {
      const flash = (this.backing as StorageBacking).flash;
      const from = Math.max(off, lead);
      const base = f.block * flash.geometry.eraseSize + (from - lead);
      const n = off + len - from;
      out.set(peek ? flash.peek(base, n) : flash.read(base, n), from - off);
    }
    return out;
  }

  read(name: string, offset?: number, length?: number): Uint8Array | undefined {
    const f = this.files.get(name);
    if (!f) return undefined;
    let off = Math.max(0, Math.floor(offset ?? 0));
    let len = Math.floor(length ?? 0);
    if (len <= 0) len = f.size;
    if (off > f.size) off = f.size;
    if (off + len > f.size) len = f.size - off;
    if (len <= 0) return new Uint8Array(0);
    return this.bytes(f, off, len, false);
  }

  private erased(f: StorageFile, off: number, len: number): boolean {
    const b = this.bytes(f, off, len, true);
    for (let i = 0; i < b.length; i++) if (b[i] !== 0xff) return false;
    return true;
  }

  private remove(name: string): void {
    const f = this.files.get(name);
    if (!f) return;
    this.files.delete(name);
    this.trash += f.size + FILE_HEADER;
    this.trashFiles++;
  }

  private create(name: string, size: number): StorageFile {
    if (this.stats().freeBytes < size + FILE_HEADER) this.compact();
    if (this.stats().freeBytes < size + FILE_HEADER)
      throw new Error("Unable to find or create file");
    const block = this.backedBlock(name, size);
    const f: StorageFile = { size, block, ram: new Uint8Array(0) };
    f.ram = new Uint8Array(this.lead(f)).fill(0xff);
    // A new file's data lies in erased flash: on the backing that is an erase of the block.
    if (block >= 0) {
      const flash = (this.backing as StorageBacking).flash;
      flash.erase(block * flash.geometry.eraseSize);
    }
    this.files.set(name, f);
    return f;
  }

  /** Programs bytes into a file (AND, as flash): aligned and split as Espruino's jshFlashWriteAligned. */
  private program(f: StorageFile, off: number, data: Uint8Array): void {
    const lead = this.lead(f);
    for (let i = 0; i < data.length && off + i < lead; i++)
      f.ram[off + i] = (f.ram[off + i] as number) & (data[i] as number);
    if (off + data.length <= lead) return;
    const flash = (this.backing as StorageBacking).flash;
    const from = Math.max(off, lead);
    programAligned(
      flash,
      f.block * flash.geometry.eraseSize + (from - lead),
      data.subarray(from - off),
    );
  }

  write(name: string, data: Uint8Array, offset?: number, size?: number): boolean {
    const off = Math.floor(offset ?? 0);
    let sz = Math.floor(size ?? 0);
    if (off < 0 || sz < 0) return false;
    if (sz === 0) sz = data.length;
    if (!sz) throw new Error("Can't create zero length file");
    let f = this.files.get(name);
    if ((!f && off === 0) || (f && off === 0 && (sz !== f.size || !this.erased(f, 0, f.size)))) {
      if (f && off === 0 && sz === f.size && data.length === sz) {
        const cur = this.bytes(f, 0, sz, true);
        if (cur.every((b, i) => b === data[i])) return true;
      }
      if (f) this.remove(name);
      f = this.create(name, sz);
    }
    if (!f) throw new Error("Unable to find or create file");
    if (off + data.length > f.size) throw new Error("Too much data for file size");
    if (!this.erased(f, off, data.length))
      throw new Error("File already written with different data");
    this.program(f, off, data);
    return true;
  }

  erase(name: string): void {
    this.remove(name);
  }

  eraseAll(): void {
    for (const name of [...this.files.keys()]) this.remove(name);
    this.compact();
  }

  /** Host-side helpers. */
  readText(name: string): string | undefined {
    const b = this.read(name);
    return b === undefined ? undefined : latin1(b);
  }

  writeFile(name: string, data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? fromLatin1(data) : data;
    this.write(name, bytes, 0, bytes.length);
  }
}
