// The device platform layer's entry: start(board) builds the flash backend, the console
// ring and capture, the CrashLog, mounts it, installs the dump hooks and the global
// `mtdoops`. The build (scripts/build-firmware.ts) makes one bundle per board whose entry
// calls start() with the board's JSON. Device code (docs/DIALECT.md).
//
// Build-time constants (esbuild --define), all optional:
//   MTDOOPS_VERSION  the library version recorded in every context ("dev" without it);
//   MTDOOPS_BACKEND  the board's backend ("flash" | "spinor" | "storage"): with it the
//                    bundler drops the two backends the board does not use;
//   MTDOOPS_RESET    the board's resetReason ("nrf52" | "esp8266" | "none"), likewise.

import type { BoardDefinition } from "../src/boards/schema.js";
import type { Flash } from "../src/core/flash.js";
import { CrashLog } from "../src/core/log.js";
import { ConsoleRing } from "../src/core/ring.js";
import { makeApi } from "./api.js";
import { startCapture } from "./console.js";
import { makeContext } from "./context.js";
import type { EspE, EspHeatshrink, EspProcess } from "./espruino.js";
import { internalFlash } from "./flash-internal.js";
import { spiNorFlash } from "./flash-spinor.js";
import { storageFlash } from "./flash-storage.js";
import { builtin } from "./flash-util.js";
import { installHooks } from "./hooks.js";

declare const E: EspE;
declare const process: EspProcess;
declare const print: (s: string) => void;
declare const getTime: () => number;
declare const MTDOOPS_BACKEND: string;
declare const MTDOOPS_RESET: string;

const hex = (n: number): string => "0x" + n.toString(16);

/**
 * For a raw internal-flash partition: the name of what it overlaps (Storage, the firmware
 * image, an area the board file reserves), or "".
 */
export function partitionConflict(b: BoardDefinition): string {
  const s = b.start;
  const e = s + b.size;
  const m = process.memory(false);
  const st = process.env.STORAGE;
  const areas: Array<[string, number, number]> = [];
  // The firmware image ends at flash_binary_end; it starts at the board file's "firmware"
  // area where it has one (STM32 boards: after Storage), else at the start of flash.
  let fw = m.flash_start || 0;
  const r = b.reserved || [];
  for (let i = 0; i < r.length; i++) {
    const x = r[i] as { name: string; start: number; end: number };
    areas.push([x.name, x.start, x.end]);
    if (/firmware/i.test(x.name)) fw = x.start;
  }
  if (m.flash_code_start !== undefined && st)
    areas.push(["Storage", m.flash_code_start, m.flash_code_start + st]);
  if (m.flash_binary_end !== undefined) areas.push(["the firmware", fw, m.flash_binary_end]);
  for (let i = 0; i < areas.length; i++) {
    const a = areas[i] as [string, number, number];
    if (s < a[2] && a[1] < e) return a[0] + " (" + hex(a[1]) + "-" + hex(a[2]) + ")";
  }
  return "";
}

export function start(board: BoardDefinition): void {
  // Written out in full (not through a variable) so that esbuild can fold them.
  const isFlash =
    (typeof MTDOOPS_BACKEND === "string" ? MTDOOPS_BACKEND : board.backend) === "flash";
  const isSpi =
    (typeof MTDOOPS_BACKEND === "string" ? MTDOOPS_BACKEND : board.backend) === "spinor";
  const clash = isFlash ? partitionConflict(board) : "";
  if (clash) {
    print(
      "mtdoops: partition " +
        hex(board.start) +
        "-" +
        hex(board.start + board.size) +
        " overlaps " +
        clash +
        "; not started",
    );
    return;
  }
  let hs: EspHeatshrink | undefined;
  try {
    hs = builtin<EspHeatshrink>("heatshrink");
  } catch (e) {
    hs = undefined;
  }
  // heatshrink output that the board's own decompress() does not restore exactly (the
  // driver can drop the final byte) is refused: the caller then stores or sends it plain.
  const compress = (d: Uint8Array): Uint8Array => {
    if (!hs) throw new Error("no heatshrink");
    const c = new Uint8Array(hs.compress(d));
    if (hs.decompress(c).byteLength !== d.length) throw new Error("heatshrink");
    return c;
  };
  const t0 = getTime();
  const ring = new ConsoleRing(board.ringSize);
  let log: CrashLog;
  try {
    const flash: Flash = isFlash
      ? internalFlash(board)
      : isSpi
        ? spiNorFlash(board)
        : storageFlash(board);
    log = new CrashLog({
      flash: flash,
      recordSize: board.recordSize,
      scheduler: {
        defer: (job: () => void, ms: number): void => {
          setTimeout(job, ms);
        },
      },
      clock: {
        // Date.now() is only a wall clock once someone set the time (after 2020).
        now: (): number => {
          const n = Date.now();
          return n > 1577836800000 ? n : 0;
        },
        uptime: (): number => (getTime() - t0) * 1000,
      },
      ring: ring,
      crc32: (d: Uint8Array): number => E.CRC32(d),
      compress: compress,
    });
  } catch (e) {
    print("mtdoops: " + ((e as Error).message || e) + "; not started");
    return;
  }
  try {
    log.mount();
  } catch (e) {
    log.state = "failed";
    print("mtdoops: mount failed: " + ((e as Error).message || e));
  }
  const cap = startCapture(ring);
  const ctx = makeContext(board, log);
  (global as unknown as Record<string, unknown>)["mtdoops"] = makeApi(
    board,
    log,
    ring,
    cap,
    ctx,
    compress,
  );
  installHooks(
    log,
    cap,
    ctx,
    typeof MTDOOPS_RESET === "string" ? MTDOOPS_RESET : board.resetReason,
  );
}
