// The crash log for host code: LogCore (log-core.ts: state and the write path) with the
// mount (log-mount.ts) and the reading side (log-read.ts) as methods. The firmware does not
// use this class: it imports each part where it needs it, so that only the write path is
// resident on the board (docs/FIRMWARE.md).

import { LogCore, runJobs } from "./log-core.js";
import type { MountInfo, SlotRecord } from "./log-core.js";
import { mountLog } from "./log-mount.js";
import { REASON_PANIC } from "./record.js";
import { clearRecords, forEachRecord, readRaw } from "./log-read.js";

export { LogCore, runJobs, validateLogOptions } from "./log-core.js";
export type { LogOptions, LogState, LogStats, MountInfo, SlotRecord } from "./log-core.js";

export class CrashLog extends LogCore {
  /** True while deferred work is waiting. */
  get busy(): boolean {
    return this._jobQueued || this._pending.length > 0 || this._eraseNeeded;
  }

  /**
   * Records a fatal dump at once, synchronously (mtdoops's panic path): dump(REASON_PANIC).
   * Returns true when the record is committed on flash.
   */
  panic(context: string): boolean {
    return this.dump(REASON_PANIC, context);
  }

  /** Runs the deferred work now (pending oops records, erase-ahead). */
  runJobs(): void {
    runJobs(this);
  }

  /** Finds the newest record and the write point, and makes the next slot ready for a panic. */
  mount(): MountInfo {
    return mountLog(this);
  }

  /**
   * Visits the valid records from the oldest to the newest (ring order, which is seq order),
   * one slot at a time so that the board never holds more than one record in RAM.
   * Freed records are skipped unless `withFreed`.
   */
  forEach(visit: (r: SlotRecord) => void, withFreed?: boolean): void {
    forEachRecord(this, visit, withFreed);
  }

  /** The stored bytes of a slot's record (header and payload), or null when not valid. */
  readRaw(slot: number): Uint8Array | null {
    return readRaw(this, slot);
  }

  /**
   * Frees the live records whose seq is not newer than `uptoSeq`, by programming their freed
   * word: no erase, so seq continuity and the write point survive, and a power cut at any
   * point leaves each record either live or freed. Returns the number freed.
   */
  clear(uptoSeq: number): number {
    return clearRecords(this, uptoSeq);
  }
}
