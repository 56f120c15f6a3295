// The on-disk archive of retrieved records (the CLI's): the writer of archive-core.ts over
// Node's fs, every file fsync'd. The layout and the index are archive-core.ts's.

import { promises as fsp } from "node:fs";
import path from "node:path";
import { RetrievalArchive as ArchiveWriter } from "./archive-core.js";
import type { ArchiveFs } from "./archive-core.js";

export { ArchiveError, recordText, retrievalFolderName } from "./archive-core.js";
export type { ArchiveFs } from "./archive-core.js";

export const nodeArchiveFs: ArchiveFs = {
  async mkdir(p) {
    // One level at a time: Node's recursive mkdir loops for ever under /proc.
    const missing: string[] = [];
    for (let d = path.resolve(p); ; d = path.dirname(d)) {
      try {
        await fsp.stat(d);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT" || path.dirname(d) === d) throw e;
        missing.unshift(d);
      }
    }
    for (const d of missing) {
      try {
        await fsp.mkdir(d);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
    }
  },
  async writeFileSynced(p, data) {
    const fh = await fsp.open(p, "w", 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  async rename(from, to) {
    await fsp.rename(from, to);
  },
  async syncDir(p) {
    let fh;
    try {
      fh = await fsp.open(p, "r");
      await fh.sync();
    } catch (e) {
      // Some file systems (and Windows) cannot fsync a directory; the files are synced.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF") throw e;
    } finally {
      await fh?.close();
    }
  },
  async utimes(p, atime, mtime) {
    await fsp.utimes(p, atime, mtime);
  },
  join(dir, name) {
    return path.join(dir, name);
  },
  async exists(p) {
    try {
      await fsp.stat(p);
      return true;
    } catch {
      return false;
    }
  },
};

/** One retrieval's folder on disk (Node's fs unless `fs` is given). */
export class RetrievalArchive extends ArchiveWriter {
  constructor(outDir: string, options: { board?: string; started?: Date; fs?: ArchiveFs } = {}) {
    super(outDir, { ...options, fs: options.fs ?? nodeArchiveFs });
  }
}
