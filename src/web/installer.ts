// Installs, updates and removes the logger on a board from the page, over any Transport:
// the board's firmware files exactly as the firmware build made them (the Vite build takes
// them from scripts/build-firmware.ts's output: firmware-manifest.ts), written into the
// board's Storage with Storage.write in pieces, each piece acknowledged before the next (so
// no console input buffer overflows, whatever the link), then verified by reading every
// file back on the board (E.CRC32 and length against the host's CRC-32), then load() and a
// check that `mtdoops` runs. `mtdoops flash` writes the same files through EspruinoTools.
//
// A logger that runs is stopped first (STOP_LOGGER, src/boards/firmware-files.ts): its code
// may be read from the very files being replaced.
//
// The files are written in the build's order except the first (the boot file), which goes
// last: a board that loses power half-way never boots into a boot file whose modules are
// not there yet.

import { crc32 } from "../core/crc32.js";
import { textToBytes } from "../host/transport.js";
import type { Connect } from "../host/transport.js";
import { BoardConsole, ConsoleError } from "./board-console.js";
import { STOP_LOGGER } from "../boards/firmware-files.js";
import type { FirmwareBoard } from "../boards/web-firmware-manifest.js";

/** Raw bytes per Storage.write line (base64: 4/3 of it). */
export const UPLOAD_CHUNK = 384;

export type InstallEvent =
  | { type: "connecting" }
  | { type: "uploading"; file: string; sent: number; total: number }
  | { type: "verifying"; file: string }
  | { type: "verified"; file: string; bytes: number; crc: string }
  | { type: "restarting" }
  | { type: "running"; version: string }
  | { type: "removed"; file: string };

export class InstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InstallError";
  }
}

function jsString(s: string): string {
  return JSON.stringify(s);
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** The files in upload order: the modules, then the boot file (the build lists it first). */
export function uploadOrder<T>(files: readonly T[]): T[] {
  return files.length > 1 ? [...files.slice(1), files[0] as T] : [...files];
}

async function withConsole<R>(connect: Connect, body: (c: BoardConsole) => Promise<R>): Promise<R> {
  const t = await connect();
  const c = new BoardConsole(t);
  try {
    await c.nudge();
    return await body(c);
  } finally {
    c.dispose();
    try {
      await t.close();
    } catch {
      // the link is already gone
    }
  }
}

function explain(e: unknown, doing: string): InstallError {
  if (e instanceof InstallError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (e instanceof ConsoleError) return new InstallError(`${doing}: the board said ${msg}`);
  return new InstallError(`${doing}: ${msg}`);
}

/** The CRC-32 and length of a Storage file on the board, or null when it is not there. */
async function boardFile(
  c: BoardConsole,
  name: string,
): Promise<{ crc: string; bytes: number } | null> {
  const v = await c.ask(
    '(function(s){return s===undefined?"missing":(E.CRC32(s)>>>0).toString(16)+" "+s.length})(require("Storage").read(' +
      jsString(name) +
      "))",
  );
  if (v === "missing") return null;
  const m = /^([0-9a-f]+) (\d+)$/.exec(v);
  if (!m) throw new InstallError(`the board answered ${JSON.stringify(v)} when asked for ${name}`);
  return { crc: (m[1] as string).padStart(8, "0"), bytes: Number(m[2]) };
}

/** Writes the board's files, verifies them, restarts into the logger. Resolves with its version. */
export async function installLogger(
  connect: Connect,
  board: FirmwareBoard,
  onEvent: (e: InstallEvent) => void = () => {},
): Promise<string> {
  const files = uploadOrder(board.files).map((f) => ({
    name: f.storage,
    bytes: textToBytes(f.code),
  }));
  const total = files.reduce((n, f) => n + f.bytes.length, 0);
  onEvent({ type: "connecting" });
  return withConsole(connect, async (c) => {
    let sent = 0;
    await stopLogger(c);
    for (const f of files) {
      try {
        await c.ask('require("Storage").erase(' + jsString(f.name) + '),"ok"');
        for (let off = 0; off < f.bytes.length; off += UPLOAD_CHUNK) {
          const piece = f.bytes.subarray(off, off + UPLOAD_CHUNK);
          const ok = await c.ask(
            'require("Storage").write(' +
              jsString(f.name) +
              ',atob("' +
              base64(piece) +
              '"),' +
              off +
              "," +
              f.bytes.length +
              ")",
          );
          if (ok !== "true")
            throw new InstallError(
              `the board could not write ${f.name} (is its Storage full? free space with require("Storage").compact())`,
            );
          sent += piece.length;
          onEvent({ type: "uploading", file: f.name, sent, total });
        }
      } catch (e) {
        throw explain(e, `uploading ${f.name} failed after ${sent} of ${total} bytes`);
      }
    }
    for (const f of files) {
      onEvent({ type: "verifying", file: f.name });
      const want = hex8(crc32(f.bytes));
      let got;
      try {
        got = await boardFile(c, f.name);
      } catch (e) {
        throw explain(e, `verifying ${f.name} failed`);
      }
      if (!got || got.crc !== want || got.bytes !== f.bytes.length) {
        throw new InstallError(
          `verification failed: ${f.name} on the board ` +
            (got ? `has CRC ${got.crc} and ${got.bytes} bytes` : "is missing") +
            `, the build has CRC ${want} and ${f.bytes.length} bytes; install again`,
        );
      }
      onEvent({ type: "verified", file: f.name, bytes: got.bytes, crc: got.crc });
    }
    onEvent({ type: "restarting" });
    const version = await restartAndAsk(connect, c);
    if (!version)
      throw new InstallError(
        "the files are on the board and verified, but the logger did not start after load(); see the board's console",
      );
    onEvent({ type: "running", version });
    return version;
  });
}

/** Stops a logger that runs before its files change (STOP_LOGGER says why). */
async function stopLogger(c: BoardConsole): Promise<void> {
  try {
    for (const line of STOP_LOGGER) await c.runQuiet(line, 400, 5000);
  } catch (e) {
    throw explain(e, "stopping the running logger failed");
  }
}

/**
 * Sends load() (the board restarts its JavaScript into the boot file) and asks for the
 * logger's version. The console may not answer for a moment while the boot code runs, and
 * some links drop on load() (the Linux build's telnet console may): the question is asked
 * again, over a new connection when the old one is gone, up to 3 times (3.5 s each).
 */
async function restartAndAsk(connect: Connect, first: BoardConsole): Promise<string | null> {
  let c = first;
  let opened: BoardConsole | null = null;
  let last: unknown = null;
  try {
    try {
      await c.runQuiet("load()", 500, 8000);
    } catch (e) {
      last = e;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        if (c.closed) {
          opened?.dispose();
          const t = await connect();
          opened = new BoardConsole(t);
          c = opened;
          await c.nudge();
        }
        return await c.loggerVersion(3500);
      } catch (e) {
        last = e;
      }
    }
    throw explain(last, "restarting the board failed");
  } finally {
    if (opened) {
      opened.dispose();
      await opened.close();
    }
  }
}

/** Erases the board's logger files (the records' partition stays as it is) and restarts. */
export async function removeLogger(
  connect: Connect,
  board: FirmwareBoard,
  onEvent: (e: InstallEvent) => void = () => {},
): Promise<void> {
  onEvent({ type: "connecting" });
  await withConsole(connect, async (c) => {
    await stopLogger(c);
    for (const f of board.files) {
      try {
        await c.ask('require("Storage").erase(' + jsString(f.storage) + '),"ok"');
        if ((await boardFile(c, f.storage)) !== null)
          throw new InstallError(`${f.storage} is still on the board after erasing it`);
      } catch (e) {
        throw explain(e, `removing ${f.storage} failed`);
      }
      onEvent({ type: "removed", file: f.storage });
    }
    onEvent({ type: "restarting" });
    if ((await restartAndAsk(connect, c)) !== null)
      throw new InstallError(
        "the logger still runs after its files were erased and the board restarted",
      );
  });
}
