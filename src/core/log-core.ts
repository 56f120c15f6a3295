// The resident part of the crash log (what a board keeps in RAM): state, the write path,
// admission, erase-ahead. Few functions on purpose: on the board each one costs about five
// JsVars for as long as the firmware runs, whatever its size (docs/FOOTPRINT.md), so the
// write path is four methods and one job function, not a method per step. Mounting (log-mount.ts) and reading back (log-read.ts) are
// functions over a LogCore, so that the firmware loads them only when it needs them
// (docs/FIRMWARE.md); CrashLog (log.ts) joins the three for host code.
//
// The crash log: fixed-size records in a circle of slots over a flash partition, after
// Linux's mtdoops, with the fixes DESIGN.md lists. Device code (see docs/DIALECT.md): no
// default or rest parameters, no destructuring, no spread, no Map/Set, no hoisting.
//
// Invariants (DESIGN.md explains each):
// - Slot i of a lap holds the record with seq = lapBase + i: skipping slots (a torn slot, a
//   bad block) advances seq by the number of slots skipped. So seq - slot is constant within
//   a lap, which lets mount binary-search for the newest record.
// - W: unless `eraseNeeded`, every slot from `nextSlot` to the end of its block is erased
//   (checked byte by byte, never inferred from a few header bytes). A panic only programs.
// - A record is accepted only when its commit word is set and its CRC holds.

import type { Crc32 } from "./crc32.js";
import { crc32 as softCrc32 } from "./crc32.js";
import type { Flash, FlashGeometry } from "./flash.js";
import { checkGeometry, isFlashError } from "./flash.js";
import {
  buildPayload,
  COMMIT_VALUE,
  encodeRecord,
  FLAG_HEATSHRINK,
  FLAG_TRUNCATED,
  HEADER_SIZE,
  isErased,
  MAX_PAYLOAD,
  OFF_COMMIT,
  OFF_MAGIC,
  REASON_PANIC,
  REASON_SHUTDOWN,
  wordUnit,
} from "./record.js";
import type { StoredRecord } from "./record.js";
import type { ConsoleRing } from "./ring.js";
import type { Clock, Scheduler } from "./scheduler.js";
import { NO_WALL_CLOCK_BEFORE } from "./scheduler.js";

export interface LogOptions {
  flash: Flash;
  /** Bytes per slot: a power of two from 64 to the erase size (and at most 65536). */
  recordSize: number;
  scheduler: Scheduler;
  clock: Clock;
  ring: ConsoleRing;
  /** A faster CRC-32 with the same result (E.CRC32 on the board). */
  crc32?: Crc32;
  /** heatshrink compression, used only when the console does not fit uncompressed. */
  compress?: (data: Uint8Array) => Uint8Array;
  /** Dumps with a reason code above this are not recorded (pstore's max_reason). Default 5: all. */
  maxReason?: number;
  /** Erase attempts per block before it is marked bad. Default 3, as mtdoops. */
  eraseTries?: number;
  /** Records one boot may write (one more is kept for a panic). Default 8. */
  maxRecordsPerBoot?: number;
  /** Consecutive crashing boots that make a crash loop; 0 turns the guard off. Default 3. */
  loopThreshold?: number;
  /** A crash this soon after boot counts toward a loop. Default 30000 ms. */
  loopWindowMs?: number;
}

export type LogState = "unmounted" | "ready" | "failed";

export interface MountInfo {
  /** Slot headers read to find the write point (the full scan reads every slot). */
  headersRead: number;
  fullScan: boolean;
  /** Seq of the newest record, or -1 when the partition holds none. */
  newestSeq: number;
  nextSlot: number;
  nextSeq: number;
  boot: number;
  /** True when the last `loopThreshold` boots each crashed early: early dumps are suppressed. */
  crashLoop: boolean;
}

export interface LogStats {
  /** Records programmed and committed. */
  written: number;
  /** Dumps that could not be written (no erased slot, medium failure, queue full). */
  lost: number;
  /** Dumps dropped on purpose: per-boot cap or crash-loop guard. */
  suppressed: number;
  /** Dumps below max_reason. */
  filtered: number;
  erases: number;
  badBlocks: number;
}

export interface SlotRecord {
  slot: number;
  record: StoredRecord;
}

interface PendingDump {
  reason: number;
  flags: number;
  payload: Uint8Array;
  rawLength: number;
  time: number;
  uptime: number;
}

const CHUNK = 256;

function configError(message: string): Error {
  const e = new Error(message) as Error & { code: string };
  e.code = "ECONFIG";
  return e;
}

function opt(value: number | undefined, dflt: number): number {
  return value === undefined ? dflt : value;
}

// Set to true by the firmware build (esbuild `define`): the board's options were validated
// by `validateLogOptions` at build time, so the bundle leaves the checks and their messages out.
declare const MTDOOPS_DEVICE: boolean | undefined;

/**
 * Checks a configuration as mtdoops_init does; each refusal is an Error with code "ECONFIG"
 * naming the parameter and the values it allows.
 */
export function validateLogOptions(o: LogOptions): void {
  const INT_OPTIONS: Array<[keyof LogOptions, number, number]> = [
    ["maxReason", 1, REASON_SHUTDOWN],
    ["eraseTries", 1, 10],
    ["maxRecordsPerBoot", 1, 1000],
    ["loopThreshold", 0, 100],
    ["loopWindowMs", 0, 86400000],
  ];
  const g = o.flash.geometry;
  const bad = checkGeometry(g);
  if (bad) throw configError("flash geometry: " + bad);
  if (g.size / g.eraseSize < 2)
    throw configError(
      "the partition must hold at least 2 erase blocks of " + g.eraseSize + " bytes, got " + g.size + " bytes",
    );
  const rs = o.recordSize;
  const maxRs = Math.min(g.eraseSize, 65536);
  if (!(rs >= 64 && rs <= maxRs && (rs & (rs - 1)) === 0))
    throw configError("recordSize must be a power of two from 64 to " + maxRs + " (the erase size), got " + rs);
  for (let i = 0; i < INT_OPTIONS.length; i++) {
    const name = INT_OPTIONS[i]![0];
    const min = INT_OPTIONS[i]![1];
    const max = INT_OPTIONS[i]![2];
    const v = o[name];
    if (v !== undefined && !(typeof v === "number" && v >= min && v <= max && Math.floor(v) === v))
      throw configError(name + " must be a whole number from " + min + " to " + max + ", got " + String(v));
  }
}

/**
 * The deferred work (mtdoops's workqueue): pending oops records, then the erase ahead of
 * the write point. The scheduler calls it with the log; the firmware also calls it when the
 * interpreter is about to stop (E 'kill'), when no timer would run again (it then sets
 * `_jobQueued` first, so that the dump it writes queues no timer either).
 */
export function runJobs(log: LogCore): void {
  // Marked queued while it runs, so that a write crossing into the next block queues no
  // second job: the erase-ahead below does that work.
  log._jobQueued = true;
  while (log._pending.length > 0 && log.state === "ready") {
    if (!log._write(log._pending.shift() as PendingDump, false)) log.stats.lost++;
  }
  if (log.state === "ready") log._eraseAhead();
  log._jobQueued = false;
}

export class LogCore {
  readonly flash: Flash;
  readonly geometry: FlashGeometry;
  readonly recordSize: number;
  readonly slots: number;
  readonly slotsPerBlock: number;
  readonly blocks: number;
  state: LogState = "unmounted";
  boot = 0;
  nextSlot = 0;
  nextSeq = 1;
  crashLoop = false;
  readonly stats: LogStats = { written: 0, lost: 0, suppressed: 0, filtered: 0, erases: 0, badBlocks: 0 };
  maxReason: number;

  readonly _scheduler: Scheduler;
  readonly _clock: Clock;
  readonly _ring: ConsoleRing;
  readonly _crc: Crc32;
  readonly _compress: ((data: Uint8Array) => Uint8Array) | undefined;
  readonly _eraseTries: number;
  readonly _maxRecordsPerBoot: number;
  readonly _loopThreshold: number;
  readonly _loopWindowMs: number;
  readonly _bad: Uint8Array;
  _eraseNeeded = false;
  _jobQueued = false;
  _pending: PendingDump[] = [];
  _bootRecords = 0;
  _headersRead = 0;
  /** Slot of the newest record written or found, -1 for none: erase-ahead never erases its block. */
  _newestSlot = -1;
  _newestRec: StoredRecord | null = null;

  /** Validates the configuration (validateLogOptions) unless the firmware build did already. */
  constructor(o: LogOptions) {
    if (typeof MTDOOPS_DEVICE === "undefined" || !MTDOOPS_DEVICE) validateLogOptions(o);
    const g = o.flash.geometry;
    const rs = o.recordSize;
    this.flash = o.flash;
    this.geometry = g;
    this.recordSize = rs;
    this.slots = g.size / rs;
    this.slotsPerBlock = g.eraseSize / rs;
    this.blocks = g.size / g.eraseSize;
    this._scheduler = o.scheduler;
    this._clock = o.clock;
    this._ring = o.ring;
    // The firmware always passes E.CRC32: the bundle leaves the software CRC-32 out.
    this._crc =
      typeof MTDOOPS_DEVICE !== "undefined" && MTDOOPS_DEVICE ? (o.crc32 as Crc32) : o.crc32 || softCrc32;
    this._compress = o.compress;
    this.maxReason = opt(o.maxReason, REASON_SHUTDOWN);
    this._eraseTries = opt(o.eraseTries, 3);
    this._maxRecordsPerBoot = opt(o.maxRecordsPerBoot, 8);
    this._loopThreshold = opt(o.loopThreshold, 3);
    this._loopWindowMs = opt(o.loopWindowMs, 30000);
    this._bad = new Uint8Array(this.blocks);
  }

  /**
   * True when every byte of slots [from, to) is erased: the only test of erasure we trust.
   * A chunk that is not is read once more, so that a flipped bit in the read does not
   * condemn a good block.
   */
  _rangeErased(fromSlot: number, toSlot: number): boolean {
    const end = toSlot * this.recordSize;
    const ev = this.geometry.erasedValue;
    for (let a = fromSlot * this.recordSize; a < end; a += CHUNK) {
      const n = Math.min(CHUNK, end - a);
      if (!isErased(this.flash.read(a, n), 0, n, ev) && !isErased(this.flash.read(a, n), 0, n, ev)) return false;
    }
    return true;
  }

  /**
   * Makes the block at the write point erased: checks it, erases it if needed (with
   * retries), verifies; a block that will not erase is marked bad (in RAM) and skipped,
   * the write point moving to the next block's first slot and seq with it (the slot-seq
   * invariant). Stops when every block was tried: the log is then "failed" and writes nothing.
   */
  _eraseAhead(): boolean {
    if (!this._eraseNeeded) return true;
    const spb = this.slotsPerBlock;
    const g = this.geometry;
    for (let tried = 0; tried < this.blocks; tried++) {
      const block = Math.floor(this.nextSlot / spb);
      const first = block * spb;
      // Every other block is bad: erasing this one would destroy the newest record.
      if (this._newestSlot >= 0 && block === Math.floor(this._newestSlot / spb)) break;
      if (!this._bad[block]) {
        // t = 0 checks whether the block is erased already; then erase, verify, up to eraseTries times.
        for (let t = 0; t <= this._eraseTries; t++) {
          if (t) {
            try {
              this.stats.erases++;
              this.flash.erase(block * g.eraseSize);
            } catch (e) {
              if (!isFlashError(e)) throw e;
            }
          }
          if (this._rangeErased(first, first + spb)) {
            this._eraseNeeded = false;
            return true;
          }
        }
        this._bad[block] = 1;
        this.stats.badBlocks++;
        // Tombstone: program the commit word of the block's first slot (when still erased),
        // so that a later mount cannot take the skipped block for the free space after the
        // newest record.
        const a = first * this.recordSize + OFF_COMMIT;
        const unit = Math.max(4, g.progUnit);
        try {
          if (isErased(this.flash.read(a, unit), 0, unit, g.erasedValue))
            this.flash.program(a, wordUnit(g.progUnit, g.erasedValue, 0));
        } catch (e) {
          if (!isFlashError(e)) throw e;
        }
      }
      const next = ((block + 1) % this.blocks) * spb;
      this.nextSeq = (this.nextSeq + ((next - this.nextSlot + this.slots) % this.slots)) >>> 0;
      this.nextSlot = next;
    }
    this.state = "failed";
    return false;
  }

  // ---- writing ----

  /**
   * Programs one record at the write point: its bytes from the magic on, in pieces that
   * stay inside a program page, then its commit word. A panic does nothing else: no erase,
   * no read-back. The deferred path reads each part back (a mismatch twice, in case the
   * read flipped a bit) and moves to the next slot when the medium fails.
   */
  _write(d: PendingDump, panic: boolean): boolean {
    const g = this.geometry;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this._eraseNeeded && (panic || !this._eraseAhead())) return false;
      if (this.state !== "ready") return false;
      const slot = this.nextSlot;
      const base = slot * this.recordSize;
      const bytes = encodeRecord(
        {
          seq: this.nextSeq,
          boot: this.boot,
          reason: d.reason,
          flags: d.flags,
          time: d.time,
          uptime: d.uptime,
          payloadLength: d.payload.length,
          rawLength: d.rawLength,
        },
        d.payload,
        g.progUnit,
        this._crc,
      );
      let ok = true;
      try {
        for (let part = 0; ok && part < 2; part++) {
          const at = base + (part ? OFF_COMMIT : OFF_MAGIC);
          const data = part ? wordUnit(g.progUnit, g.erasedValue, COMMIT_VALUE) : bytes.subarray(OFF_MAGIC);
          for (let off = 0; off < data.length; ) {
            const n = Math.min(data.length - off, g.pageSize - ((at + off) % g.pageSize));
            this.flash.program(at + off, data.subarray(off, off + n));
            off += n;
          }
          if (!panic) {
            ok = false;
            for (let t = 0; t < 2 && !ok; t++) {
              const got = this.flash.read(at, data.length);
              ok = true;
              for (let i = 0; i < data.length && ok; i++) ok = got[i] === data[i];
            }
          }
        }
      } catch (e) {
        if (!isFlashError(e)) throw e;
        ok = false;
      }
      // The slot is used either way: the next record goes to the next one.
      this.nextSlot = (slot + 1) % this.slots;
      this.nextSeq = (this.nextSeq + 1) >>> 0;
      if (this.nextSlot % this.slotsPerBlock === 0) {
        this._eraseNeeded = true;
        if (!this._jobQueued) {
          this._jobQueued = true;
          this._scheduler.defer(runJobs, 0, this);
        }
      }
      if (ok) {
        this._newestSlot = slot;
        this.stats.written++;
        this._bootRecords++;
        return true;
      }
      if (panic) return false;
    }
    return false;
  }

  /**
   * Records a dump. A panic (REASON_PANIC) is written at once, synchronously (mtdoops's
   * panic path): true when its record is committed on flash. Any other reason is written
   * later, from a job (the oops path): true when it was queued. The console is captured
   * now either way, so output that follows does not change the record. max_reason, the
   * crash-loop guard and the per-boot cap (one more record kept for a panic) apply first.
   */
  dump(reason: number, context: string, flags?: number): boolean {
    const stats = this.stats;
    const panic = reason === REASON_PANIC;
    if (reason > this.maxReason || reason < 1) {
      stats.filtered++;
      return false;
    }
    if (this.state !== "ready") {
      stats.lost++;
      return false;
    }
    const early = this._clock.uptime() < this._loopWindowMs;
    if (
      (this.crashLoop && early) ||
      this._bootRecords + this._pending.length >= this._maxRecordsPerBoot + (panic ? 1 : 0)
    ) {
      stats.suppressed++;
      return false;
    }
    if (!panic && this._pending.length >= 2) {
      stats.lost++;
      return false;
    }
    // The payload: the context (at most half the room, and always its first 64 bytes), then
    // the newest console bytes that fit; compressed when that keeps more of the console.
    const room = this.recordSize - HEADER_SIZE;
    const ctxLen = Math.min(context.length, Math.max(room >> 1, Math.min(room - 2, 64)));
    const ctx = new Uint8Array(ctxLen);
    for (let i = 0; i < ctxLen; i++) ctx[i] = context.charCodeAt(i) & 255;
    const ring = this._ring;
    const rawRoom = Math.min(MAX_PAYLOAD, room) - 2 - ctxLen;
    let f = panic ? 0 : flags || 0;
    let payload: Uint8Array | null = null;
    let raw = buildPayload(ctx, ring.tail(rawRoom));
    let taken = raw.length - 2 - ctxLen;
    if (ring.length > rawRoom && this._compress) {
      let take = Math.min(ring.length, MAX_PAYLOAD - 2 - ctxLen);
      for (let i = 0; i < 3 && take > rawRoom; i++) {
        const candidate = buildPayload(ctx, ring.tail(take));
        let packed: Uint8Array;
        try {
          packed = this._compress(candidate);
        } catch (e) {
          break; // out of memory on the board: store uncompressed
        }
        if (packed.length <= room) {
          payload = packed;
          raw = candidate;
          taken = take;
          f |= FLAG_HEATSHRINK;
          break;
        }
        take = Math.floor((take * room * 0.9) / packed.length);
      }
    }
    if (taken < ring.length || ring.written > ring.length) f |= FLAG_TRUNCATED;
    const now = this._clock.now();
    const d: PendingDump = {
      reason: reason,
      flags: f,
      payload: payload || raw,
      rawLength: raw.length,
      time: now >= NO_WALL_CLOCK_BEFORE ? Math.floor(now / 1000) >>> 0 : 0,
      uptime: this._clock.uptime() >>> 0,
    };
    if (panic) {
      const ok = this._write(d, true);
      if (!ok) stats.lost++;
      return ok;
    }
    this._pending.push(d);
    if (!this._jobQueued) {
      this._jobQueued = true;
      this._scheduler.defer(runJobs, 0, this);
    }
    return true;
  }
}
