// Reading the log back and clearing it: the retrieval side, which the firmware loads from
// its own Storage file when the host asks (docs/FIRMWARE.md). Device code (docs/DIALECT.md).

import { isFlashError } from "./flash.js";
import type { LogCore, SlotRecord } from "./log-core.js";
import { readChecked, readHeader, readValid } from "./log-slot-read.js";
import { decodeHeader, FREED_VALUE, getU32, headerState, OFF_FREED, putU32 } from "./record.js";
import { seqNewer } from "./seq.js";

/**
 * Visits the valid records from the oldest to the newest (ring order, which is seq order),
 * one slot at a time so that the board never holds more than one record in RAM. A stale
 * record (an older lap's, left by an erase that did nothing) is not visited.
 * Freed records are skipped unless `withFreed`.
 */
export function forEachRecord(
  log: LogCore,
  visit: (r: SlotRecord) => void,
  withFreed?: boolean,
): void {
  for (let i = 0; i < log.slots; i++) {
    const slot = (log.nextSlot + i) % log.slots;
    const v = readValid(log, slot);
    // SPEC.md §3: in this lap the slot's record has the seq the slot gives it. Any other seq
    // is an older lap's record in a block whose erase did nothing: not part of the log.
    if (v && v.record.seq === (log.nextSeq - log.slots + i) >>> 0 && (withFreed || !v.record.freed))
      visit({ slot: slot, record: v.record, bytes: v.bytes });
  }
}

/**
 * The stored bytes of a slot's record (header and payload), or null when not valid: the
 * bytes whose CRC was checked (readValid), not a second read.
 */
export function readRaw(log: LogCore, slot: number): Uint8Array | null {
  const v = readValid(log, slot);
  return v ? v.bytes : null;
}

/**
 * Frees the live records whose seq is not newer than `uptoSeq`, by programming their freed
 * word: no erase, so seq continuity and the write point survive, and a power cut at any
 * point leaves each record either live or freed. Returns the number freed.
 */
export function clearRecords(log: LogCore, uptoSeq: number): number {
  let n = 0;
  const unit = Math.max(4, log.geometry.progUnit);
  const z = new Uint8Array(unit);
  z.fill(log.geometry.erasedValue);
  putU32(z, 0, FREED_VALUE);
  for (let slot = 0; slot < log.slots; slot++) {
    const h = readHeader(log, slot);
    if (headerState(h, log.recordSize, log.geometry.erasedValue) !== "committed") continue;
    if (getU32(h, OFF_FREED) !== 0xffffffff) continue; // freed, or a torn clear: leave it
    if (seqNewer(decodeHeader(h).seq, uptoSeq)) continue;
    if (!readChecked(log, slot)) continue;
    try {
      log.flash.program(slot * log.recordSize + OFF_FREED, z);
      n++;
    } catch (e) {
      if (!isFlashError(e)) throw e;
    }
  }
  return n;
}
