// The crash log's state and its write path: admission, the record write, erase-ahead.
// The state is a plain object (LogCore) and the operations are module functions over it,
// not a class: on the board the code lives in three Storage files (docs/FIRMWARE.md,
// "Files"). The write path is resident in .boot0, while createLog and the mount run once
// from a module that is dropped after; an instance of a class would keep its prototype,
// and with it the whole module that defined it, alive. Mounting (log-mount.ts) and reading
// back (log-read.ts) are functions over the same state; CrashLog (log.ts) joins the three
// as methods for host code.
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
  COMMIT_VALUE,
  encodeHeaderInto,
  HEADER_SIZE,
  isErased,
  MAX_PAYLOAD,
  OFF_COMMIT,
  OFF_MAGIC,
  wordUnit,
  Flags,
  Reason,
} from "./record.js";
import type { CheckedRecord } from "./log-slot-read.js";
import type { StoredRecord } from "./record.js";
import type { Ring } from "./ring.js";
import { ringTailInto } from "./ring.js";
import type { Clock, Scheduler } from "./scheduler.js";
import { NO_WALL_CLOCK_BEFORE } from "./scheduler.js";

export interface LogOptions {
  flash: Flash;
  /** Bytes per slot: a power of two from 64 to the erase size (and at most 65536). */
  recordSize: number;
  scheduler: Scheduler;
  clock: Clock;
  ring: Ring;
  /** A faster CRC-32 with the same result (E.CRC32 on the board). */
  crc32?: Crc32;
  /**
   * A string's bytes (one per character, code units above 255 cut): the board passes a
   * native conversion (E.toArrayBuffer), so that a dump runs no per-byte loop.
   */
  toBytes?: ((s: string) => Uint8Array) | undefined;
  /**
   * heatshrink compression, used only when the console does not fit uncompressed: a stream
   * that decodes to `data`, or to `data` and one byte of padding (the board's, unpadded()
   * in record.ts). undefined when it will not compress now (too little memory on the
   * board): the record is then stored uncompressed. It may also throw, to the same effect.
   */
  compress?: ((data: Uint8Array) => Uint8Array | undefined) | undefined;
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
  /** Its stored bytes (header and payload), as the read whose CRC passed returned them. */
  bytes: Uint8Array;
}

export interface PendingDump {
  reason: number;
  flags: number;
  /** A record-sized buffer holding the payload at HEADER_SIZE; the header is written at write time. */
  bytes: Uint8Array;
  /** The stored payload: a view of `bytes` from HEADER_SIZE. */
  payload: Uint8Array;
  rawLength: number;
  time: number;
  uptime: number;
}

/** admission(): why a dump is not recorded, by the stats counter it was counted in. */
export const REFUSED_FILTERED = 1;
export const REFUSED_LOST = 2;
export const REFUSED_SUPPRESSED = 3;

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
    ["maxReason", 1, Reason.SHUTDOWN],
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
      "the partition must hold at least 2 erase blocks of " +
        g.eraseSize +
        " bytes, got " +
        g.size +
        " bytes",
    );
  const rs = o.recordSize;
  const maxRs = Math.min(g.eraseSize, 65536);
  if (!(rs >= 64 && rs <= maxRs && (rs & (rs - 1)) === 0))
    throw configError(
      "recordSize must be a power of two from 64 to " + maxRs + " (the erase size), got " + rs,
    );
  for (let i = 0; i < INT_OPTIONS.length; i++) {
    const name = INT_OPTIONS[i]![0];
    const min = INT_OPTIONS[i]![1];
    const max = INT_OPTIONS[i]![2];
    const v = o[name];
    if (v !== undefined && !(typeof v === "number" && v >= min && v <= max && Math.floor(v) === v))
      throw configError(
        name + " must be a whole number from " + min + " to " + max + ", got " + String(v),
      );
  }
}

/**
 * The log: its configuration and platform (set by configure()) and its state (the write
 * point, the counters). A plain object, so that the board can keep the state in RAM while
 * the code that works on it comes and goes.
 *
 * On the board only the state stays between runs: each firmware module configures the
 * object again when it loads and removes the configured fields when it is done
 * (firmware/env.ts), since the platform's fields are, or hold, functions of that module,
 * and the configuration follows from the board.
 */
export interface LogCore {
  // ---- configured (configure()) ----
  flash: Flash;
  geometry: FlashGeometry;
  recordSize: number;
  slots: number;
  slotsPerBlock: number;
  blocks: number;
  maxReason: number;
  _scheduler: Scheduler;
  _clock: Clock;
  _crc: Crc32;
  _compress: ((data: Uint8Array) => Uint8Array | undefined) | undefined;
  _toBytes: ((s: string) => Uint8Array) | undefined;
  /** rangeErased()'s chunk: the record size, at most 8 KB (a power of two either way). */
  _chunk: number;
  /** CRC-32 of `_chunk` erased bytes: rangeErased() compares each chunk's CRC with it (DESIGN.md). */
  _erasedCrc: number;
  _eraseTries: number;
  _maxRecordsPerBoot: number;
  _loopThreshold: number;
  _loopWindowMs: number;

  // ---- state ----
  state: LogState;
  boot: number;
  nextSlot: number;
  nextSeq: number;
  crashLoop: boolean;
  readonly stats: LogStats;
  readonly _ring: Ring;
  /** A record-sized buffer made with the log: the panic path builds its record here, allocating nothing. */
  readonly _buf: Uint8Array;
  /** Blocks that would not erase (1), by index. */
  readonly _bad: Uint8Array;
  _eraseNeeded: boolean;
  _jobQueued: boolean;
  _pending: PendingDump[];
  /**
   * Bytes in per byte out of the last compression, 0 before the first: the deferred path's
   * first try takes as much console as that ratio says will fit (dumpAdmitted()).
   */
  _packRatio: number;
  _bootRecords: number;
  /** Slot of the newest record written or found, -1 for none: erase-ahead never erases its block. */
  _newestSlot: number;
  /** The mount's: slot headers read, and the newest record found. */
  _headersRead: number;
  _newestRec: CheckedRecord | null;
}

/**
 * Sets the fields that follow from the options alone: the platform's and the
 * configuration. The options were validated (createLog) and describe the same partition.
 */
export function configure(log: LogCore, o: LogOptions): void {
  const g = o.flash.geometry;
  const rs = o.recordSize;
  log.flash = o.flash;
  log.geometry = g;
  log.recordSize = rs;
  log.slots = g.size / rs;
  log.slotsPerBlock = g.eraseSize / rs;
  log.blocks = g.size / g.eraseSize;
  log.maxReason = opt(o.maxReason, Reason.SHUTDOWN);
  log._scheduler = o.scheduler;
  log._clock = o.clock;
  // The firmware always passes E.CRC32: the bundle leaves the software CRC-32 out.
  log._crc =
    typeof MTDOOPS_DEVICE !== "undefined" && MTDOOPS_DEVICE
      ? (o.crc32 as Crc32)
      : o.crc32 || softCrc32;
  log._compress = o.compress;
  log._toBytes = o.toBytes;
  log._chunk = Math.min(rs, 8192);
  const ff = new Uint8Array(log._chunk);
  ff.fill(g.erasedValue);
  log._erasedCrc = log._crc(ff);
  log._eraseTries = opt(o.eraseTries, 3);
  log._maxRecordsPerBoot = opt(o.maxRecordsPerBoot, 8);
  log._loopThreshold = opt(o.loopThreshold, 3);
  log._loopWindowMs = opt(o.loopWindowMs, 30000);
}

/** A new, unmounted log. Validates the configuration (validateLogOptions) unless the firmware build did already. */
export function createLog(o: LogOptions): LogCore {
  if (typeof MTDOOPS_DEVICE === "undefined" || !MTDOOPS_DEVICE) validateLogOptions(o);
  const g = o.flash.geometry;
  const log = {
    state: "unmounted",
    boot: 0,
    nextSlot: 0,
    nextSeq: 1,
    crashLoop: false,
    stats: { written: 0, lost: 0, suppressed: 0, filtered: 0, erases: 0, badBlocks: 0 },
    _ring: o.ring,
    _buf: new Uint8Array(o.recordSize),
    _bad: new Uint8Array(g.size / g.eraseSize),
    _eraseNeeded: false,
    _jobQueued: false,
    _pending: [],
    _packRatio: 0,
    _bootRecords: 0,
    _newestSlot: -1,
    _headersRead: 0,
    _newestRec: null,
  } as unknown as LogCore;
  configure(log, o);
  return log;
}

/**
 * True when every byte of slots [from, to) is erased: the only test of erasure we trust.
 * The range is read in chunks of a slot (at most 8 KB, `_chunk`), each compared by its
 * CRC-32 with that of an erased chunk: one read and one native call per chunk, where a
 * byte loop would cost the board milliseconds per block. A chunk a slot long, not smaller:
 * the board lexes a function again at every call (docs/FOOTPRINT.md), and the record
 * write already holds a slot's bytes in RAM. CRC-32 has a Hamming distance of 4 up to
 * 91607 bits of data (P. Koopman, "32-Bit Cyclic Redundancy Codes for Internet
 * Applications", DSN 2002), so a chunk within 3 flipped bits of erased is told apart with
 * certainty, and one further off passes only with probability 2^-32 (DESIGN.md, "Empty
 * means every byte erased"). A chunk that does not read erased is read once more, so that
 * a flipped bit in the read does not condemn a good block. A backend that can checksum
 * the medium in place (Flash crc32) is asked for the CRC instead of the bytes.
 */
export function rangeErased(log: LogCore, fromSlot: number, toSlot: number): boolean {
  const n = log._chunk;
  const f = log.flash;
  const end = toSlot * log.recordSize;
  for (let a = fromSlot * log.recordSize; a < end; a += n) {
    let ok = false;
    for (let t = 0; t < 2 && !ok; t++)
      ok = (f.crc32 ? f.crc32(a, n) : log._crc(f.read(a, n))) === log._erasedCrc;
    if (!ok) return false;
  }
  return true;
}

/**
 * Makes the block at the write point erased: checks it, erases it if needed (with
 * retries), verifies; a block that will not erase is marked bad (in RAM) and skipped,
 * the write point moving to the next block's first slot and seq with it (the slot-seq
 * invariant). Stops when every block was tried: the log is then "failed" and writes nothing.
 */
export function eraseAhead(log: LogCore): boolean {
  if (!log._eraseNeeded) return true;
  const spb = log.slotsPerBlock;
  const g = log.geometry;
  for (let tried = 0; tried < log.blocks; tried++) {
    const block = Math.floor(log.nextSlot / spb);
    const first = block * spb;
    // Every other block is bad: erasing this one would destroy the newest record.
    if (log._newestSlot >= 0 && block === Math.floor(log._newestSlot / spb)) break;
    if (!log._bad[block]) {
      // t = 0 checks whether the block is erased already; then erase, verify, up to eraseTries times.
      for (let t = 0; t <= log._eraseTries; t++) {
        if (t) {
          try {
            log.stats.erases++;
            log.flash.erase(block * g.eraseSize);
          } catch (e) {
            if (!isFlashError(e)) throw e;
          }
        }
        if (rangeErased(log, first, first + spb)) {
          log._eraseNeeded = false;
          return true;
        }
      }
      log._bad[block] = 1;
      log.stats.badBlocks++;
      // Tombstone: program the commit word of the block's first slot (when still erased),
      // so that a later mount cannot take the skipped block for the free space after the
      // newest record.
      const a = first * log.recordSize + OFF_COMMIT;
      const unit = Math.max(4, g.progUnit);
      try {
        if (isErased(log.flash.read(a, unit), 0, unit, g.erasedValue))
          log.flash.program(a, wordUnit(g.progUnit, g.erasedValue, 0));
      } catch (e) {
        if (!isFlashError(e)) throw e;
      }
    }
    const next = ((block + 1) % log.blocks) * spb;
    log.nextSeq = (log.nextSeq + ((next - log.nextSlot + log.slots) % log.slots)) >>> 0;
    log.nextSlot = next;
  }
  log.state = "failed";
  return false;
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
    // writeDump() can queue this job again: the two call each other.
    // eslint-disable-next-line no-use-before-define
    if (!writeDump(log, log._pending.shift() as PendingDump, false)) log.stats.lost++;
  }
  // Checked here too: on the board a call lexes the whole function it enters, even to
  // return at once (docs/FOOTPRINT.md).
  if (log.state === "ready" && log._eraseNeeded) eraseAhead(log);
  log._jobQueued = false;
}

/**
 * Programs one record at the write point: its bytes from the magic on, in pieces that
 * stay inside a program page, then its commit word. A panic does nothing else: no erase,
 * no read-back. The deferred path reads each part back (a mismatch twice, in case the
 * read flipped a bit) and moves to the next slot when the medium fails.
 */
function writeDump(log: LogCore, d: PendingDump, panic: boolean): boolean {
  const g = log.geometry;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (log._eraseNeeded && (panic || !eraseAhead(log))) return false;
    if (log.state !== "ready") return false;
    const slot = log.nextSlot;
    const base = slot * log.recordSize;
    const bytes = d.bytes;
    const end = encodeHeaderInto(
      bytes,
      {
        seq: log.nextSeq,
        boot: log.boot,
        reason: d.reason,
        flags: d.flags,
        time: d.time,
        uptime: d.uptime,
        payloadLength: d.payload.length,
        rawLength: d.rawLength,
      },
      d.payload.length,
      g.progUnit,
      log._crc,
    );
    let ok = true;
    try {
      for (let part = 0; ok && part < 2; part++) {
        const at = base + (part ? OFF_COMMIT : OFF_MAGIC);
        const data = part
          ? wordUnit(g.progUnit, g.erasedValue, COMMIT_VALUE)
          : bytes.subarray(OFF_MAGIC, end);
        for (let off = 0; off < data.length;) {
          const n = Math.min(data.length - off, g.pageSize - ((at + off) % g.pageSize));
          log.flash.program(at + off, data.subarray(off, off + n));
          off += n;
        }
        if (!panic) {
          ok = false;
          // Compared by CRC-32: one native call on the board (see rangeErased for what it
          // can miss), on the medium itself where the backend can (Flash crc32).
          const f = log.flash;
          const want = log._crc(data);
          for (let t = 0; t < 2 && !ok; t++)
            ok = (f.crc32 ? f.crc32(at, data.length) : log._crc(f.read(at, data.length))) === want;
        }
      }
    } catch (e) {
      if (!isFlashError(e)) throw e;
      ok = false;
    }
    // The slot is used either way: the next record goes to the next one.
    log.nextSlot = (slot + 1) % log.slots;
    log.nextSeq = (log.nextSeq + 1) >>> 0;
    if (log.nextSlot % log.slotsPerBlock === 0) {
      log._eraseNeeded = true;
      // The jobs, unless queued or running (as in dumpAdmitted(): written out twice rather
      // than kept as a helper, which would hold RAM on the board for two lines).
      if (!log._jobQueued) {
        log._jobQueued = true;
        log._scheduler.defer(runJobs, 0, log);
      }
    }
    if (ok) {
      log._newestSlot = slot;
      log.stats.written++;
      log._bootRecords++;
      return true;
    }
    if (panic) return false;
  }
  return false;
}

/**
 * Whether a dump of `reason` may be recorded now, asked before anything is built: 0 when
 * it may; else it is counted, in the stats counter that says why, and that counter's
 * REFUSED_* code is returned. The board asks first, so that a dump past the per-boot cap
 * or the crash-loop guard costs no context and no allocation (docs/FOOTPRINT.md, "CPU per
 * crash"); the count is made here, not by a helper, because on the board every resident
 * function holds RAM and every call lexes the function it enters.
 */
export function admission(log: LogCore, reason: number): number {
  const panic = reason === Reason.PANIC;
  const stats = log.stats;
  if (reason > log.maxReason || reason < 1) {
    stats.filtered++;
    return REFUSED_FILTERED;
  }
  if (
    log.state === "ready" &&
    // The clock only when the guard is on: a call is lexed whole on the board.
    ((log.crashLoop && log._clock.uptime() < log._loopWindowMs) ||
      log._bootRecords + log._pending.length >= log._maxRecordsPerBoot + (panic ? 1 : 0))
  ) {
    stats.suppressed++;
    return REFUSED_SUPPRESSED;
  }
  if (log.state !== "ready" || (!panic && log._pending.length >= 2)) {
    stats.lost++;
    return REFUSED_LOST;
  }
  return 0;
}

/**
 * dump() for a dump that admission() has just admitted: what the board calls, having
 * asked admission() itself before it built the context (firmware/api.ts record()), so
 * that the question is not lexed twice.
 */
export function dumpAdmitted(
  log: LogCore,
  reason: number,
  context: string,
  flags?: number,
): boolean {
  const stats = log.stats;
  const panic = reason === Reason.PANIC;
  // The payload: the context (at most half the room, and always its first 64 bytes), then
  // the newest console bytes that fit. Built in place in a record-sized buffer, with
  // native copies only. A panic uses the log's own buffer and stores the console
  // uncompressed, as mtdoops's panic path does: it allocates nothing but its context
  // (heatshrink's tries allocate the console twice over and cost a panic on the board
  // about a quarter of its time, docs/FOOTPRINT.md). The deferred path compresses when
  // that keeps more of the console.
  const rs = log.recordSize;
  const room = rs - HEADER_SIZE;
  const ctxLen = Math.min(context.length, Math.max(room >> 1, Math.min(room - 2, 64)));
  let ctx: Uint8Array;
  if (log._toBytes) ctx = log._toBytes(context);
  else {
    ctx = new Uint8Array(ctxLen);
    for (let i = 0; i < ctxLen; i++) ctx[i] = context.charCodeAt(i) & 255;
  }
  const ring = log._ring;
  const rawRoom = Math.min(MAX_PAYLOAD, room) - 2 - ctxLen;
  const bytes = panic ? log._buf : new Uint8Array(rs);
  bytes[HEADER_SIZE] = ctxLen & 255;
  bytes[HEADER_SIZE + 1] = ctxLen >> 8;
  bytes.set(ctx.subarray(0, ctxLen), HEADER_SIZE + 2);
  let taken = Math.min(rawRoom, ring.length);
  ringTailInto(ring, bytes, HEADER_SIZE + 2 + ctxLen, taken);
  let rawLength = 2 + ctxLen + taken;
  let payload = bytes.subarray(HEADER_SIZE, HEADER_SIZE + rawLength);
  let f = panic ? 0 : flags || 0;
  if (!panic && ring.length > rawRoom && log._compress) {
    let take = Math.min(ring.length, MAX_PAYLOAD - 2 - ctxLen);
    // A try is one compression of the whole candidate, 0.5-1 L on the Linux build for 2 KB
    // of console, the largest part of a recorded crash (docs/FOOTPRINT.md). The whole
    // ring rarely fits a slot once it has wrapped, so the first try takes what the last
    // compression's ratio says will fit, with a tenth to spare: a console compresses about
    // alike from one crash to the next, and one try is then enough. The first dump of a
    // boot tries the whole ring.
    if (log._packRatio) take = Math.min(take, Math.floor(room * log._packRatio * 0.9) - 2 - ctxLen);
    for (let i = 0; i < 3 && take > rawRoom; i++) {
      // The payload as buildPayload() lays it out, made here from the context already in
      // `bytes` and the ring: one allocation, and no helper that would stay resident.
      const candidate = new Uint8Array(2 + ctxLen + take);
      candidate.set(bytes.subarray(HEADER_SIZE, HEADER_SIZE + 2 + ctxLen));
      ringTailInto(ring, candidate, 2 + ctxLen, take);
      let packed: Uint8Array | undefined;
      try {
        packed = log._compress(candidate);
      } catch (e) {
        packed = undefined;
      }
      if (!packed) break; // too little memory on the board: store uncompressed
      log._packRatio = candidate.length / packed.length;
      if (packed.length <= room) {
        bytes.set(packed, HEADER_SIZE);
        payload = bytes.subarray(HEADER_SIZE, HEADER_SIZE + packed.length);
        rawLength = candidate.length;
        taken = take;
        f |= Flags.HEATSHRINK;
        break;
      }
      take = Math.floor((take * room * 0.9) / packed.length);
    }
  }
  if (taken < ring.length || ring.written > ring.length) f |= Flags.TRUNCATED;
  const now = log._clock.now();
  const d: PendingDump = {
    reason: reason,
    flags: f,
    bytes: bytes,
    payload: payload,
    rawLength: rawLength,
    time: now >= NO_WALL_CLOCK_BEFORE ? Math.floor(now / 1000) >>> 0 : 0,
    uptime: log._clock.uptime() >>> 0,
  };
  if (panic) {
    const ok = writeDump(log, d, true);
    if (!ok) stats.lost++;
    return ok;
  }
  log._pending.push(d);
  if (!log._jobQueued) {
    log._jobQueued = true;
    log._scheduler.defer(runJobs, 0, log);
  }
  return true;
}

/**
 * Records a dump. A panic (Reason.PANIC) is written at once, synchronously (mtdoops's
 * panic path): true when its record is committed on flash. Any other reason is written
 * later, from a job (the oops path): true when it was queued. The console is captured
 * now either way, so output that follows does not change the record. max_reason, the
 * crash-loop guard and the per-boot cap (one more record kept for a panic) apply first
 * (admission()).
 */
export function dump(log: LogCore, reason: number, context: string, flags?: number): boolean {
  return !admission(log, reason) && dumpAdmitted(log, reason, context, flags);
}
