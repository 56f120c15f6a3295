// What the log needs from the platform (the flash backend, the scheduler, the clock,
// E.CRC32, heatshrink), attached to the log's state by the firmware module that runs and
// detached when it is done. Bundled into each module (mount, write, read), never into the
// resident .boot0 (docs/FIRMWARE.md, "Files").
//
// Why attach and detach: the log's state stays in RAM for as long as the firmware runs,
// and whatever it references stays with it. The backend's methods, the scheduler's `defer`
// and `compress` are functions of the module that made them, and a function keeps its
// whole module (every function and constant in it) alive. So between runs the state holds
// none of them, nor the configuration, which follows from the board bound to every module
// (docs/FOOTPRINT.md).
// Device code (docs/DIALECT.md).

import type { BoardDefinition } from "../src/boards/schema.js";
import type { Flash } from "../src/core/flash.js";
import type { LogCore, LogOptions } from "../src/core/log-core.js";
import { configure } from "../src/core/log-core.js";
import type { Ring } from "../src/core/ring.js";
import { internalFlash } from "./flash-internal.js";
import { spiNorFlash } from "./flash-spinor.js";
import { storageFlash } from "./flash-storage.js";
import { builtin } from "./flash-util.js";

declare const MTDOOPS_BACKEND: string;

/** The log's state on the board: LogCore, plus when the firmware started (getTime(), seconds). */
export interface DeviceLog extends LogCore {
  _t0: number;
}

let hs: HeatshrinkModule | undefined;
try {
  hs = builtin<HeatshrinkModule>("heatshrink");
} catch (e) {
  hs = undefined;
}
/** The board and the state attach() was last given: what the clock and the jobs use. */
let board: BoardDefinition;
let cur: DeviceLog;

/**
 * heatshrink, for records and dumps that do not fit plain. Output that the board's own
 * decompress() does not restore exactly (the driver can drop the final byte) is refused:
 * the caller then stores or sends it plain.
 */
function compress(d: Uint8Array): Uint8Array {
  if (!hs) throw new Error("no heatshrink");
  const c = new Uint8Array(hs.compress(d));
  if (hs.decompress(c).byteLength !== d.length) throw new Error("heatshrink");
  return c;
}

/** Milliseconds since the firmware started. */
function uptime(): number {
  return (getTime() - cur._t0) * 1000;
}

/**
 * The log's jobs run from a timer, with the platform attached again for the run: until
 * then the timer holds this module, and the state does not.
 */
function defer(job: (log: DeviceLog) => void, ms: number, log: DeviceLog): void {
  const b = board;
  setTimeout(() => {
    // A job re-attaches what its module attached: the two call each other. A job that
    // cannot run (the backend does not open: an SPI chip that stopped answering) says so
    // and lets the next dump queue a job again, rather than throw from a timer and leave
    // `_jobQueued` set for good; the pending records stay for that job.
    try {
      // eslint-disable-next-line no-use-before-define
      attach(log, b, undefined);
      job(log);
    } catch (e) {
      log._jobQueued = false;
      print("MTDOOPS:ERROR " + ((e as Error).message || e));
    } finally {
      // eslint-disable-next-line no-use-before-define
      detach(log);
    }
  }, ms);
}

/**
 * The board's flash backend. `checked`: the mount verified the backend's files this boot
 * (storage backend), so opening it does not read them all again.
 * Written out in full (not through a variable) so that esbuild can fold the board's
 * backend (MTDOOPS_BACKEND) and drop the two others.
 */
export function openFlash(b: BoardDefinition, checked: boolean): Flash {
  return (typeof MTDOOPS_BACKEND === "string" ? MTDOOPS_BACKEND : b.backend) === "flash"
    ? internalFlash(b)
    : (typeof MTDOOPS_BACKEND === "string" ? MTDOOPS_BACKEND : b.backend) === "spinor"
      ? spiNorFlash(b)
      : storageFlash(b, checked);
}

/** The log's options on this board: Espruino's own functions where they fit. */
export function logOptions(b: BoardDefinition, flash: Flash, ring: Ring): LogOptions {
  return {
    flash: flash,
    recordSize: b.recordSize,
    ring: ring,
    scheduler: { defer: defer as LogOptions["scheduler"]["defer"] },
    // Date.now() before 2020 reads as "time unknown" to the log.
    clock: { now: Date.now, uptime: uptime },
    crc32: E.CRC32,
    compress: hs ? compress : undefined,
  };
}

/** Configures the state for the time this module runs (`flash`: opened already, or undefined). */
export function attach(log: DeviceLog, b: BoardDefinition, flash: Flash | undefined): void {
  board = b;
  cur = log;
  configure(log, logOptions(b, flash || openFlash(b, true), log._ring));
}

/**
 * Removes what configure() set, and the mount's scratch fields: nothing of this module
 * stays reachable from the state, and RAM holds only the state (docs/FOOTPRINT.md).
 */
export function detach(log: DeviceLog): void {
  const x = log as Partial<DeviceLog>;
  delete x.flash;
  delete x.geometry;
  delete x.recordSize;
  delete x.slots;
  delete x.slotsPerBlock;
  delete x.blocks;
  delete x.maxReason;
  delete x._scheduler;
  delete x._clock;
  delete x._crc;
  delete x._compress;
  delete x._eraseTries;
  delete x._maxRecordsPerBoot;
  delete x._loopThreshold;
  delete x._loopWindowMs;
  delete x._headersRead;
  delete x._newestRec;
}
