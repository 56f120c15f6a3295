// Reading a file the user named (an image to decode): only a regular file or a block
// device (a partition dumped or read in place), never a FIFO, a socket or a character
// device (/dev/zero never ends, a FIFO with no writer blocks for ever), at most a size
// cap, in chunks so that the process stays killable while it reads.

import { promises as fsp, statSync } from "node:fs";
import type { Stats } from "node:fs";
import path from "node:path";
import { CliError } from "./io.js";

/** The largest image decode reads: far beyond any board's partition (a few MB). */
export const MAX_IMAGE_BYTES = 256 * 1024 * 1024;
const CHUNK = 1 << 20;

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice()) return "a character device";
  return "not a regular file";
}

/** Checks what `file` is before anything opens it; returns its absolute path and stats. */
export function checkInputFile(file: string, cwd: string): { p: string; st: Stats } {
  const p = path.resolve(cwd, file);
  let st: Stats;
  try {
    st = statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES") throw new CliError(`cannot read ${file}: permission denied`);
    if (code === "ENOTDIR") throw new CliError(`cannot read ${file}: a part of the path is a file`);
    throw new CliError(`cannot read ${file}: no such file`);
  }
  if (!st.isFile() && !st.isBlockDevice()) {
    throw new CliError(
      `cannot read ${file}: it is ${kindOf(st)}; give an image file (or a partition's block device)`,
    );
  }
  if (st.isFile() && st.size > MAX_IMAGE_BYTES) {
    throw new CliError(
      `cannot read ${file}: it is ${st.size} bytes, more than the ${MAX_IMAGE_BYTES} bytes a partition image can be`,
    );
  }
  return { p, st };
}

/** Reads an image file (see checkInputFile), stopping when `signal` aborts. */
export async function readInputFile(
  file: string,
  cwd: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const { p } = checkInputFile(file, cwd);
  let fh;
  try {
    fh = await fsp.open(p, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read ${file}: ${code === "EACCES" ? "permission denied" : (e as Error).message}`,
    );
  }
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      if (signal?.aborted) throw new CliError(`interrupted while reading ${file}`);
      const buf = new Uint8Array(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_IMAGE_BYTES) {
        throw new CliError(
          `cannot read ${file}: it holds more than the ${MAX_IMAGE_BYTES} bytes a partition image can be`,
        );
      }
      chunks.push(buf.subarray(0, bytesRead));
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  } finally {
    await fh.close();
  }
}
