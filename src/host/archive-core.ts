// The archive of retrieved records: its layout and its writer, over a small file-system
// interface (ArchiveFs) so that the CLI (Node's fs: archive.ts) and the web page (files in
// memory, downloaded as a zip) write the same names and the same index.json. No Node here.
//
// The names follow pstore's: the kernel names each record <type>-<backend>-<id> (fs/pstore/
// inode.c, pstore_mkfile: dmesg-ramoops-0), and systemd-pstore archives the files of such a
// backend under those names in /var/lib/systemd/pstore (systemd's src/pstore/pstore.c).
// Ours, one folder per retrieval:
//
//   <out>/<UTC time>-<board>/            one folder per retrieval, e.g. 2026-11-26T17-30-00Z-puckjs
//     dmesg-mtdoops-<seq>.txt            a header block (context), a blank line, the console text;
//                                        mtime = the record's time when the board knew it
//     dmesg-mtdoops-<seq>.bin            the record's bytes as stored on flash (slot start to payload end)
//     index.json                         DecodedRecord[] with the file names, rewritten atomically
//
// Every file is written and synced before `save` resolves, and the folder is synced, so a
// record reported saved survives a crash of the host: only then may the board free it.

import { deviceFileName } from "./device-text.js";
import type { EspruinoDecodedRecord } from "./record-view.js";

export interface ArchivedRecord extends EspruinoDecodedRecord {
  /** File names inside the retrieval folder. */
  files: { text: string; raw: string };
}

/** The file-system calls the archive makes; tests swap in one that fails. */
export interface ArchiveFs {
  mkdir(p: string): Promise<void>;
  writeFileSynced(p: string, data: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  syncDir(p: string): Promise<void>;
  utimes(p: string, atime: Date, mtime: Date): Promise<void>;
  exists(p: string): Promise<boolean>;
  /** Joins a folder and a name into a path (node:path's join on disk, "/" in memory). */
  join(dir: string, name: string): string;
}

/** Folder name for a retrieval: 2026-11-26T17-30-00Z-puckjs (UTC, no colons: valid everywhere). */
export function retrievalFolderName(when: Date, board: string): string {
  const iso = when
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "-");
  return `${iso}-${deviceFileName(board)}`;
}

export function recordFileBase(seq: number): string {
  return `dmesg-mtdoops-${seq >>> 0}`;
}

function fmtUptime(ms: number): string {
  return (ms / 1000).toFixed(3) + " s";
}

function oneLine(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return (s ?? "").replace(/\r?\n/g, "\n    ");
}

/** The header block of a .txt file: one "key: value" per line, then a blank line. */
export function recordHeaderText(r: EspruinoDecodedRecord): string {
  const lines: string[] = [];
  lines.push(`seq: ${r.seq}`);
  lines.push(`reason: ${r.reason}`);
  lines.push(`time: ${r.time ?? "unknown"}`);
  lines.push(`boot: ${r.boot}`);
  lines.push(`uptime: ${fmtUptime(r.uptimeMs)}`);
  lines.push(`slot: ${r.slot}`);
  if (r.flags.length > 0) lines.push(`flags: ${r.flags.join(" ")}`);
  if (r.freed) lines.push("freed: yes");
  if (r.payloadError) lines.push(`payload-error: ${r.payloadError}`);
  const ctx = r.context ?? {};
  for (const key of Object.keys(ctx)) lines.push(`${key}: ${oneLine(ctx[key])}`);
  return lines.join("\n") + "\n\n";
}

export function recordText(r: EspruinoDecodedRecord): string {
  return recordHeaderText(r) + r.text.replace(/\r\n/g, "\n") + (r.text.endsWith("\n") ? "" : "\n");
}

export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArchiveError";
  }
}

/** One retrieval's folder; created on the first record. */
export class RetrievalArchive {
  readonly outDir: string;
  private readonly fs: ArchiveFs;
  private readonly started: Date;
  private board: string;
  private folderPath: string | null = null;
  private readonly index: ArchivedRecord[] = [];

  constructor(outDir: string, options: { board?: string; started?: Date; fs: ArchiveFs }) {
    this.outDir = outDir;
    this.fs = options.fs;
    this.started = options.started ?? new Date();
    this.board = options.board ?? "board";
  }

  /** The board id for the folder name (from the BEGIN line); only before the first save. */
  setBoard(board: string): void {
    if (this.folderPath === null && board) this.board = board;
  }

  /** The folder, or null while nothing was saved. */
  get folder(): string | null {
    return this.folderPath;
  }

  get records(): readonly ArchivedRecord[] {
    return this.index;
  }

  private async ensureFolder(): Promise<string> {
    if (this.folderPath) return this.folderPath;
    const base = retrievalFolderName(this.started, this.board);
    let name = base;
    for (let i = 2; await this.fs.exists(this.fs.join(this.outDir, name)); i++)
      name = `${base}-${i}`;
    const p = this.fs.join(this.outDir, name);
    try {
      await this.fs.mkdir(p);
    } catch (e) {
      throw new ArchiveError(`cannot create the folder ${p}: ${errText(e)}`);
    }
    this.folderPath = p;
    return p;
  }

  /**
   * Writes a record's files and the index, each synced. Resolves with the .txt path once all
   * is on disk; rejects with an ArchiveError (the record is then not saved).
   */
  async save(record: EspruinoDecodedRecord, raw: Uint8Array): Promise<string> {
    const dir = await this.ensureFolder();
    const base = recordFileBase(record.seq);
    const files = { text: base + ".txt", raw: base + ".bin" };
    const textPath = this.fs.join(dir, files.text);
    const rawPath = this.fs.join(dir, files.raw);
    try {
      await this.fs.writeFileSynced(rawPath, raw);
      await this.fs.writeFileSynced(textPath, recordText(record));
      if (record.time) {
        const t = new Date(record.time);
        await this.fs.utimes(textPath, t, t);
        await this.fs.utimes(rawPath, t, t);
      }
      const entry: ArchivedRecord = { ...record, files };
      const next = this.index.filter((r) => r.seq !== record.seq);
      next.push(entry);
      await this.writeIndex(dir, next);
      this.index.splice(0, this.index.length, ...next);
      await this.fs.syncDir(dir);
    } catch (e) {
      throw new ArchiveError(`cannot save record ${record.seq} to ${dir}: ${errText(e)}`);
    }
    return textPath;
  }

  private async writeIndex(dir: string, entries: ArchivedRecord[]): Promise<void> {
    const tmp = this.fs.join(dir, ".index.json.tmp");
    await this.fs.writeFileSynced(tmp, JSON.stringify(entries, null, 2) + "\n");
    await this.fs.rename(tmp, this.fs.join(dir, "index.json"));
  }
}

function errText(e: unknown): string {
  // Node's fs errors carry an errno code; other stores' errors are plain Errors.
  const err = e as { code?: unknown } | null;
  if (err && err.code === "ENOSPC") return "no space left on the disk";
  if (err && (err.code === "EACCES" || err.code === "EPERM")) return "permission denied";
  if (err && err.code === "EROFS") return "the file system is read-only";
  if (err && err.code === "ENOTDIR") return "a part of the path is a file, not a directory";
  return e instanceof Error ? e.message : String(e);
}
