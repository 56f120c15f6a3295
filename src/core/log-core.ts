// The resident part of the crash log (what a board keeps in RAM): state, the write path,
// admission, erase-ahead. Mounting (log-mount.ts) and reading back (log-read.ts) are
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
  putU32,
  REASON_PANIC,
  REASON_SHUTDOWN,
} from "./record.js";
import type { StoredRecord } from "./record.js";
import type { ConsoleRing } from "./ring.js";
import type { Clock, Scheduler } from "./scheduler.js";
import { seqAdd } from "./serial.js";

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

  // ---- moving the write point, erasing ahead ----

  /** Moves the write point forward to `slot` (wrapping), advancing seq by the slots skipped. */
  _skipTo(slot: number): void {
    const skipped = (slot - this.nextSlot + this.slots) % this.slots;
    this.nextSlot = slot;
    this.nextSeq = seqAdd(this.nextSeq, skipped);
  }

  /**
   * Makes the block at the write point erased: checks it, erases it if needed (with
   * retries), verifies; a block that will not erase is marked bad (in RAM) and skipped.
   * Stops when every block was tried: the log is then "failed" and writes nothing.
   */
  _eraseAhead(): boolean {
    if (!this._eraseNeeded) return true;
    for (let tried = 0; tried < this.blocks; tried++) {
      const block = Math.floor(this.nextSlot / this.slotsPerBlock);
      const first = block * this.slotsPerBlock;
      // Every other block is bad: erasing this one would destroy the newest record.
      if (this._newestSlot >= 0 && block === Math.floor(this._newestSlot / this.slotsPerBlock)) break;
      if (!this._bad[block]) {
        if (this._rangeErased(first, first + this.slotsPerBlock)) {
          this._eraseNeeded = false;
          return true;
        }
        for (let t = 0; t < this._eraseTries; t++) {
          try {
            this.stats.erases++;
            this.flash.erase(block * this.geometry.eraseSize);
          } catch (e) {
            if (!isFlashError(e)) throw e;
          }
          if (this._rangeErased(first, first + this.slotsPerBlock)) {
            this._eraseNeeded = false;
            return true;
          }
        }
        this._bad[block] = 1;
        this.stats.badBlocks++;
        this._tombstone(first);
      }
      this._skipTo(((block + 1) % this.blocks) * this.slotsPerBlock);
    }
    this.state = "failed";
    return false;
  }

  /**
   * Marks the first slot of a skipped block as not erased, so that a later mount cannot take
   * the gap for the free space after the newest record.
   */
  _tombstone(slot: number): void {
    const unit = Math.max(4, this.geometry.progUnit);
    const a = slot * this.recordSize + OFF_COMMIT;
    try {
      if (!isErased(this.flash.read(a, unit), 0, unit, this.geometry.erasedValue)) return;
      const z = new Uint8Array(unit);
      z.fill(this.geometry.erasedValue);
      putU32(z, 0, 0);
      this.flash.program(a, z);
    } catch (e) {
      if (!isFlashError(e)) throw e;
    }
  }

  _queueJob(): void {
    if (this._jobQueued) return;
    this._jobQueued = true;
    this._scheduler.defer(() => {
      this._jobQueued = false;
      this.runJobs();
    }, 0);
  }

  /** The deferred work: pending oops records, then the erase ahead of the write point. */
  runJobs(): void {
    while (this._pending.length > 0 && this.state === "ready") {
      const d = this._pending.shift() as PendingDump;
      if (!this._write(d, false)) this.stats.lost++;
    }
    if (this.state === "ready") this._eraseAhead();
  }

  // ---- writing ----

  _programRange(addr: number, data: Uint8Array): void {
    const page = this.geometry.pageSize;
    let off = 0;
    while (off < data.length) {
      const a = addr + off;
      const n = Math.min(data.length - off, page - (a % page));
      this.flash.program(a, data.subarray(off, off + n));
      off += n;
    }
  }

  /** Reads back what was programmed; a mismatch is read twice, in case the read flipped a bit. */
  _verify(addr: number, data: Uint8Array): boolean {
    for (let t = 0; t < 2; t++) {
      const got = this.flash.read(addr, data.length);
      let same = true;
      for (let i = 0; i < data.length && same; i++) same = got[i] === data[i];
      if (same) return true;
    }
    return false;
  }

  /**
   * Programs one record at the write point. A panic programs the record's bytes and then
   * its commit word, nothing else: no erase, no read-back. The deferred path reads back
   * and moves to the next slot when the medium fails.
   */
  _write(d: PendingDump, panic: boolean): boolean {
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
        this.geometry.progUnit,
        this._crc,
      );
      const body = bytes.subarray(OFF_MAGIC);
      const unit = Math.max(4, this.geometry.progUnit);
      const commit = new Uint8Array(unit);
      commit.fill(this.geometry.erasedValue);
      putU32(commit, 0, COMMIT_VALUE);
      let ok = true;
      try {
        this._programRange(base + OFF_MAGIC, body);
        if (!panic) ok = this._verify(base + OFF_MAGIC, body);
        if (ok) {
          this.flash.program(base + OFF_COMMIT, commit);
          if (!panic) ok = this._verify(base + OFF_COMMIT, commit);
        }
      } catch (e) {
        if (!isFlashError(e)) throw e;
        ok = false;
      }
      this._advance();
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

  _advance(): void {
    this.nextSlot = (this.nextSlot + 1) % this.slots;
    this.nextSeq = seqAdd(this.nextSeq, 1);
    if (this.nextSlot % this.slotsPerBlock === 0) {
      this._eraseNeeded = true;
      this._queueJob();
    }
  }

  /** Builds the payload: the context, then the newest console bytes that fit. */
  _prepare(reason: number, context: string): PendingDump {
    const room = this.recordSize - HEADER_SIZE;
    // The context may take half the payload, and always its first 64 bytes.
    const maxCtx = Math.max(room >> 1, Math.min(room - 2, 64));
    const ctxLen = Math.min(context.length, maxCtx);
    const ctx = new Uint8Array(ctxLen);
    for (let i = 0; i < ctxLen; i++) ctx[i] = context.charCodeAt(i) & 255;
    const ring = this._ring;
    const rawRoom = Math.min(MAX_PAYLOAD, room) - 2 - ctxLen;
    let flags = 0;
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
          flags = FLAG_HEATSHRINK;
          break;
        }
        take = Math.floor((take * room * 0.9) / packed.length);
      }
    }
    if (taken < ring.length || ring.overflowed) flags |= FLAG_TRUNCATED;
    const now = this._clock.now();
    return {
      reason: reason,
      flags: flags,
      payload: payload || raw,
      rawLength: raw.length,
      time: now > 0 ? Math.floor(now / 1000) >>> 0 : 0,
      uptime: this._clock.uptime() >>> 0,
    };
  }

  /** Applies max_reason, the crash-loop guard and the per-boot cap. */
  _admit(reason: number): boolean {
    if (reason > this.maxReason || reason < 1) {
      this.stats.filtered++;
      return false;
    }
    if (this.state !== "ready") {
      this.stats.lost++;
      return false;
    }
    const early = this._clock.uptime() < this._loopWindowMs;
    const cap = reason === REASON_PANIC ? this._maxRecordsPerBoot + 1 : this._maxRecordsPerBoot;
    if ((this.crashLoop && early) || this._bootRecords + this._pending.length >= cap) {
      this.stats.suppressed++;
      return false;
    }
    return true;
  }

  /**
   * Records a fatal dump at once, synchronously (mtdoops's panic path). Returns true when the
   * record is committed on flash.
   */
  panic(context: string): boolean {
    if (!this._admit(REASON_PANIC)) return false;
    const ok = this._write(this._prepare(REASON_PANIC, context), true);
    if (!ok) this.stats.lost++;
    return ok;
  }

  /**
   * Records a non-fatal dump later, from a job (mtdoops's oops path). The console is
   * captured now, so output that follows does not change the record. Returns true when the
   * dump was queued.
   */
  dump(reason: number, context: string, flags?: number): boolean {
    const f = flags || 0;
    if (!this._admit(reason)) return false;
    if (this._pending.length >= 2) {
      this.stats.lost++;
      return false;
    }
    const d = this._prepare(reason, context);
    d.flags |= f;
    this._pending.push(d);
    this._queueJob();
    return true;
  }
}
