// The archive's file system in the page: files in memory (the same RetrievalArchive that
// writes the CLI's folders writes here, so the names and index.json are the CLI's), handed
// to the user as downloads. Nothing touches a disk until the user saves a download.

import type { ArchiveFs } from "../host/archive-core.js";

export interface MemoryFile {
  data: Uint8Array;
  mtime: Date;
}

export class MemoryArchiveFs implements ArchiveFs {
  readonly files = new Map<string, MemoryFile>();
  private readonly dirs = new Set<string>();

  async mkdir(p: string): Promise<void> {
    this.dirs.add(p);
  }

  async writeFileSynced(p: string, data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data.slice();
    this.files.set(p, { data: bytes, mtime: new Date() });
  }

  async rename(from: string, to: string): Promise<void> {
    const f = this.files.get(from);
    if (!f) throw new Error(`${from} does not exist`);
    this.files.delete(from);
    this.files.set(to, f);
  }

  async syncDir(): Promise<void> {}

  async utimes(p: string, _atime: Date, mtime: Date): Promise<void> {
    const f = this.files.get(p);
    if (f) f.mtime = mtime;
  }

  async exists(p: string): Promise<boolean> {
    return this.dirs.has(p) || this.files.has(p);
  }

  join(dir: string, name: string): string {
    return dir ? dir + "/" + name : name;
  }

  /** The files under `dir`, with their names relative to it. */
  list(dir: string): Array<[string, MemoryFile]> {
    const prefix = dir + "/";
    return [...this.files.entries()]
      .filter(([p]) => p.startsWith(prefix))
      .map(([p, f]): [string, MemoryFile] => [p.slice(prefix.length), f])
      .sort((a, b) => a[0].localeCompare(b[0]));
  }
}
