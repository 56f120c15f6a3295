// The crash log for host code: the log's state (log-core.ts) with the write path, the
// mount (log-mount.ts) and the reading side (log-read.ts) as methods. The firmware does not
// use this class: it keeps the state as a plain object and loads each part from Storage
// when it runs (docs/FIRMWARE.md).

import { createLog, dump, runJobs } from "./log-core.js";
import type { LogCore, LogOptions, MountInfo, SlotRecord } from "./log-core.js";
import { mountLog } from "./log-mount.js";
import { Reason } from "./record.js";
import { clearRecords, forEachRecord, readRaw } from "./log-read.js";

export { createLog, dump, runJobs, validateLogOptions } from "./log-core.js";
export type { LogCore, LogOptions, LogState, LogStats, MountInfo, SlotRecord } from "./log-core.js";

// The instance is the state: createLog()'s fields, copied in by the constructor.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface CrashLog extends LogCore {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class CrashLog {
  /** Validates the configuration (validateLogOptions); throws an ECONFIG error naming what is wrong. */
  constructor(o: LogOptions) {
    // Copied through untyped records: the firmware build's name analysis
    // (scripts/mangle-names.ts) takes the types of Object.assign's arguments for
    // serialized data and would keep the state's internal names unmangled on the board.
    const state = createLog(o) as unknown as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    for (const k of Object.keys(state)) self[k] = state[k];
  }

  /** True while deferred work is waiting. */
  get busy(): boolean {
    return this._jobQueued || this._pending.length > 0 || this._eraseNeeded;
  }

  /**
   * Records a dump: a panic (Reason.PANIC) at once, anything else from a job (dump() in
   * log-core.ts). Returns true when written (panic) or queued.
   */
  dump(reason: number, context: string, flags?: number): boolean {
    return dump(this, reason, context, flags);
  }

  /**
   * Records a fatal dump at once, synchronously (mtdoops's panic path): dump(Reason.PANIC).
   * Returns true when the record is committed on flash.
   */
  panic(context: string): boolean {
    return dump(this, Reason.PANIC, context);
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
   * Visits the valid records in ring order, from the write point (the next slot to write) round to
   * the slot before it: oldest to newest while every block erases, but a block whose erase did nothing keeps
   * an old lap's records, which then come out where they sit (DESIGN.md, "Limits"; hosts order
   * by seq). One slot at a time so that the board never holds more than one record in RAM.
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
