// Mounting the log: finding the newest record and the write point (O(log N) when the
// partition is regular, else a full scan) and the crash-loop guard. Run once per boot: the
// firmware loads it from its own Storage file, runs it and drops it (docs/FIRMWARE.md).
// Device code (docs/DIALECT.md).

import type { LogCore, MountInfo } from "./log-core.js";
import { eraseAhead, rangeErased } from "./log-core.js";
import { readChecked, readHeader } from "./log-slot-read.js";
import type { CheckedRecord } from "./log-slot-read.js";
import {
  decodeHeader,
  getU32,
  headerState,
  isFreedWord,
  Flags,
  OFF_FREED,
  Reason,
} from "./record.js";
import { seqAdd, seqDiff, seqNewer } from "./seq.js";

function blockEnd(log: LogCore, slot: number): number {
  return (Math.floor(slot / log.slotsPerBlock) + 1) * log.slotsPerBlock;
}

function isCrash(reason: number, flags: number): boolean {
  return (
    reason <= Reason.ERRORFLAG || (reason === Reason.REBOOT && (flags & Flags.UNEXPECTED) !== 0)
  );
}

/**
 * The O(log N) path. Returns the newest slot, -1 for an empty partition, or -2 when what
 * it sees is inconsistent and only a full scan can tell.
 */
function findNewestFast(log: LogCore): number {
  const n = log.slots;
  const ev = log.geometry.erasedValue;
  const h0 = readHeader(log, 0);
  const s0 = headerState(h0, log.recordSize, ev);
  let newest: number;
  if (s0 === "committed") {
    // P(i): slot i holds the record of this lap, seq(0) + i. True on [0, newest], false after.
    const ref = decodeHeader(h0).seq;
    let lo = 0;
    let hi = n;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const h = readHeader(log, mid);
      if (
        headerState(h, log.recordSize, ev) === "committed" &&
        seqDiff(decodeHeader(h).seq, ref) === mid
      )
        lo = mid;
      else hi = mid;
    }
    if (lo === n - 1) return -2; // slot 0 would be next but holds this lap's first record
    newest = lo;
  } else if (s0 === "blank") {
    const hl = readHeader(log, n - 1);
    const sl = headerState(hl, log.recordSize, ev);
    if (sl === "committed") newest = n - 1;
    else if (sl === "blank" && rangeErased(log, n - 1, n)) newest = -1;
    else return -2;
  } else return -2;
  // Accept only when the slots after the newest, to the end of their block, are erased
  // and the newest record passes its CRC.
  const next = (newest + 1) % n;
  const end = next % log.slotsPerBlock === 0 ? next + log.slotsPerBlock : blockEnd(log, next);
  if (!rangeErased(log, next, end)) return -2;
  const rec = newest < 0 ? null : readChecked(log, newest);
  if (newest >= 0 && !rec) return -2;
  // A block whose erase silently did nothing keeps an older lap's records, and two such
  // blocks can look like one consistent lap to the binary search; a block whose writes
  // failed holds records after slots that read erased or dirty. Each block shows whether it
  // holds a record newer than the one found (or any, when none was): its first slot, where
  // its oldest record is; else its last slot; every slot when the first one is dirty (a
  // failed write, a tombstone). Then only a full scan can tell (DESIGN.md, Limits).
  const spb = log.slotsPerBlock;
  for (let i = 0; i < n; i++) {
    // The slots read erased above hold no record: [next, end), and the last slot when the
    // partition reads empty. Each header read is about 0.15 L of a boot on the Linux build.
    if ((i >= next && i < end) || (newest < 0 && i === n - 1)) continue;
    const h = readHeader(log, i);
    const st = headerState(h, log.recordSize, ev);
    if (st === "committed" && (!rec || seqNewer(decodeHeader(h).seq, rec.seq))) return -2;
    // A read may flip a bit (the Flash contract): one flip can make a newer record's header
    // read dirty, or its seq older, and the block would then hide it (the mount went on
    // from an older seq, or from seq 1, and reused seqs). So a header that lets the check
    // go on is read again, and the two reads must have the same CRC-32 (which tells any
    // two reads that differ in up to 3 bits); else only the full scan, whose reads check
    // each record's CRC, can tell. No flip turns a record's header blank: blank needs no
    // second read.
    if (st !== "blank" && log._crc(h) !== log._crc(readHeader(log, i))) return -2;
    // From a block's first slot: committed, the next block; blank, the block's last slot;
    // dirty, every slot of the block.
    if (i % spb === 0 && st !== "dirty") i += st === "blank" ? Math.max(0, spb - 2) : spb - 1;
  }
  if (!rec) return -1;
  log._newestRec = rec;
  return newest;
}

/** Reads every slot; the newest valid record by serial order, or -1. */
function findNewestByScan(log: LogCore): number {
  let best = -1;
  for (let i = 0; i < log.slots; i++) {
    const r = readChecked(log, i);
    if (r && (!log._newestRec || seqNewer(r.seq, log._newestRec.seq))) {
      best = i;
      log._newestRec = r;
    }
  }
  return best;
}

/** True when each of the last `loopThreshold` boots left a crash record early in the boot. */
function detectLoop(log: LogCore, newest: number): boolean {
  // A partition that keeps fewer records than the threshold can still see a loop.
  const k = Math.min(log._loopThreshold, (log.blocks - 1) * log.slotsPerBlock);
  if (k === 0 || newest < 0) return false;
  let want = (log.boot - 1) >>> 0; // the boot whose early crash we look for next
  let found = 0;
  let slot = newest;
  const limit = k * (log._maxRecordsPerBoot + 2);
  // The walk reads headers only: a record's CRC is checked (a whole-record read) only for
  // the early crashes it counts, not for the later records of the same boots it passes.
  const ev = log.geometry.erasedValue;
  for (let i = 0; i < limit && found < k; i++) {
    const h = readHeader(log, slot);
    if (headerState(h, log.recordSize, ev) !== "committed" || isFreedWord(getU32(h, OFF_FREED)))
      return false;
    const r = decodeHeader(h);
    if (r.boot === want) {
      if (isCrash(r.reason, r.flags) && r.uptime < log._loopWindowMs) {
        const v = readChecked(log, slot);
        if (!v || v.boot !== want || v.freed) return false;
        found++;
        want = (want - 1) >>> 0;
      }
    } else if (r.boot !== (want + 1) >>> 0) return false; // a boot with no early crash
    slot = (slot - 1 + log.slots) % log.slots;
  }
  return found >= k;
}

/** Finds the newest record and the write point, and makes the next slot ready for a panic. */
export function mountLog(log: LogCore): MountInfo {
  log._headersRead = 0;
  log._pending = [];
  log._eraseNeeded = false;
  log.state = "ready";
  // The fast path has checked that the slots ahead of the newest are erased.
  log._newestRec = null;
  let newest = findNewestFast(log);
  const full = newest === -2;
  if (full) newest = findNewestByScan(log);
  const newestRec = log._newestRec as CheckedRecord | null;
  if (newestRec) {
    log.boot = (newestRec.boot + 1) >>> 0;
    log.nextSlot = (newest + 1) % log.slots;
    log.nextSeq = seqAdd(newestRec.seq, 1);
    // Records after the newest valid one whose header is committed but whose CRC no
    // longer holds (a worn bit) still own their slot and their seq: never reuse either.
    for (let i = 0; i < log.slots - 1; i++) {
      const h = readHeader(log, log.nextSlot);
      if (headerState(h, log.recordSize, log.geometry.erasedValue) !== "committed") break;
      if (decodeHeader(h).seq !== log.nextSeq) break;
      log.nextSlot = (log.nextSlot + 1) % log.slots;
      log.nextSeq = seqAdd(log.nextSeq, 1);
    }
    log._newestSlot = (log.nextSlot - 1 + log.slots) % log.slots;
  } else {
    log.boot = 1;
    log.nextSlot = 0;
    log.nextSeq = 1;
    log._newestSlot = -1;
  }
  if (full) {
    // The next slot shares the newest record's block: it must be erased, with the rest of
    // the block. After a torn write it is not: skip to the first slot after the last
    // dirty one (the end of the block if the last slot is dirty).
    if (log.nextSlot % log.slotsPerBlock !== 0) {
      const end = blockEnd(log, log.nextSlot);
      let free = end;
      while (free > log.nextSlot && rangeErased(log, free - 1, free)) free--;
      if (free > log.nextSlot) {
        // skip the dirty slots: seq advances with the slot (the slot-seq invariant)
        log.nextSeq = seqAdd(log.nextSeq, free - log.nextSlot);
        log.nextSlot = free % log.slots;
      }
    }
    if (log.nextSlot % log.slotsPerBlock === 0) {
      log._eraseNeeded = true;
      eraseAhead(log);
    }
  }
  log.crashLoop = detectLoop(log, newest);
  // The record itself is not needed after the mount: do not keep it in RAM.
  log._newestRec = null;
  return {
    headersRead: log._headersRead,
    fullScan: full,
    newestSeq: newestRec ? newestRec.seq : -1,
    nextSlot: log.nextSlot,
    nextSeq: log.nextSeq,
    boot: log.boot,
    crashLoop: log.crashLoop,
  };
}
