// What the log needs from the platform on the board: the flash backend, the scheduler, the
// clock, E.CRC32, a native string-to-bytes conversion and heatshrink. Made once at boot
// (main.ts) and kept: the write path is resident (docs/FIRMWARE.md, "Files"), so a dump
// loads nothing and allocates only its context. Device code (docs/DIALECT.md).

import type { BoardDefinition } from "../src/boards/schema.js";
import type { Flash } from "../src/core/flash.js";
import type { LogCore, LogOptions } from "../src/core/log-core.js";
import type { Ring } from "../src/core/ring.js";
import { internalFlash } from "./flash-internal.js";
import { spiNorFlash } from "./flash-spinor.js";
import { storageFlash } from "./flash-storage.js";
import { builtin } from "./flash-util.js";

declare const MTDOOPS_BACKEND: string;

/** The log on the board: its state, configured once at boot with the platform below. */
export type DeviceLog = LogCore;

/**
 * JsVars that must be free before a dump builds its record: below it the dump is counted
 * lost instead, so that the logger never takes the app's last memory (docs/FOOTPRINT.md,
 * "Memory"). A record needs about 60 (its context and a few views of preallocated buffers).
 */
export const MIN_FREE = 120;

let hs: HeatshrinkModule | undefined;
try {
  hs = builtin<HeatshrinkModule>("heatshrink");
} catch (e) {
  hs = undefined;
}
let t0 = 0;

/**
 * heatshrink, for records and dumps that do not fit plain: a stream of `d` and one byte of
 * padding after it. Espruino's compress() can drop the last byte it is given (its driver
 * stops before it flushes the final literal's last bits: src/codec/heatshrink.ts), and the
 * padding is then what it drops; readers keep the bytes the record or the REC line counts
 * (SPEC.md §2.1, §7; unpadded() in src/core/record.ts). That replaced decompressing every
 * stream on the board to check it, 0.15-0.35 L of each try on the Linux build, and its
 * output's allocation. Refused, with undefined (the caller stores or sends plain), when
 * memory is short, since it allocates the input once more, and the stream: returned, not
 * thrown, as an Error made in the interpreter costs its stack trace, whose line numbers
 * it finds by reading the code from flash (7-12 L a refusal on the Linux build, measured).
 * Memory counted without a garbage collection (process.memory(false)) counts the
 * reference cycles not yet collected as used, often a thousand JsVars and more on the
 * Linux build between crashes: only when that count is short is the garbage collected and
 * memory counted again (written out here and in its other callers: a helper would be
 * one more resident function).
 */
function compress(d: Uint8Array): Uint8Array | undefined {
  const need = MIN_FREE + (d.length >> 3);
  if (!hs || (process.memory(false).free < need && process.memory().free < need)) return;
  const p = new Uint8Array(d.length + 1);
  p.set(d);
  return new Uint8Array(hs.compress(p));
}

/** Milliseconds since the firmware started. */
function uptime(): number {
  return (getTime() - t0) * 1000;
}

/** A string's bytes, natively (a view of the string's own storage when it is flat). */
function toBytes(s: string): Uint8Array {
  return new Uint8Array(E.toArrayBuffer(s));
}

/**
 * The log's jobs run from a timer. A job that cannot run (the backend fails with something
 * that is not a flash error: an SPI chip that stopped answering) says so and lets the next
 * dump queue a job again, rather than throw from a timer and leave `_jobQueued` set for
 * good; the pending records stay for that job. The catch is in the timer's own closure,
 * made per job and dropped after it, not in a second resident function: each of those
 * holds RAM for as long as the firmware runs (docs/FOOTPRINT.md).
 */
function defer(job: (log: LogCore) => void, ms: number, log: LogCore): void {
  setTimeout(() => {
    try {
      job(log);
    } catch (e) {
      log._jobQueued = false;
      print("MTDOOPS:ERROR " + ((e as Error).message || e));
    }
  }, ms);
}

/**
 * The board's flash backend, as it is (the mount module checks it: storage files
 * repaired, a raw partition's place checked). Written out in full (not through a
 * variable) so that esbuild can fold the board's backend (MTDOOPS_BACKEND) and drop the
 * two others.
 */
export function openFlash(b: BoardDefinition): Flash {
  return (typeof MTDOOPS_BACKEND === "string" ? MTDOOPS_BACKEND : b.backend) === "flash"
    ? internalFlash(b)
    : (typeof MTDOOPS_BACKEND === "string" ? MTDOOPS_BACKEND : b.backend) === "spinor"
      ? spiNorFlash(b)
      : storageFlash(b);
}

/** The log's options on this board: Espruino's own functions where they fit. `start`: getTime() at boot. */
export function logOptions(
  b: BoardDefinition,
  flash: Flash,
  ring: Ring,
  start: number,
): LogOptions {
  t0 = start;
  return {
    flash: flash,
    recordSize: b.recordSize,
    ring: ring,
    scheduler: { defer: defer as LogOptions["scheduler"]["defer"] },
    // Date.now() before 2020 reads as "time unknown" to the log.
    clock: { now: Date.now, uptime: uptime },
    crc32: E.CRC32,
    toBytes: toBytes,
    compress: hs ? compress : undefined,
  };
}
