// Slot-size detection: records of our format sit at multiples of the record size, which
// the image does not store. Each candidate size is one pass over the image's slots (the
// valid records of one pass never overlap, so a pass is linear in the image size).

import { HEADER_SIZE, MAGIC, OFF_MAGIC, getU32 } from "../core/record.js";
import { seqDiff } from "../core/seq.js";
import { orderBySequence } from "./seq-order.js";
import { decodeRecordBytes } from "./record-view.js";
import type { EspruinoDecodedRecord } from "./record-view.js";

export const MIN_RECORD_SIZE = 64;
export const MAX_RECORD_SIZE = 65536;

export function isPowerOfTwoSize(n: number): boolean {
  return (
    Number.isSafeInteger(n) && n >= MIN_RECORD_SIZE && n <= MAX_RECORD_SIZE && (n & (n - 1)) === 0
  );
}

export interface SlotScan {
  recordSize: number;
  records: EspruinoDecodedRecord[];
  /** Pairs of records next in seq order whose seq distance equals their slot distance. */
  consistent: number;
}

export function quickCandidate(image: Uint8Array, off: number): boolean {
  return off + HEADER_SIZE <= image.length && getU32(image, off + OFF_MAGIC) === MAGIC;
}

export function scanSlots(image: Uint8Array, recordSize: number): SlotScan {
  const records: EspruinoDecodedRecord[] = [];
  for (let off = 0; off < image.length; off += recordSize) {
    if (!quickCandidate(image, off)) continue;
    const end = Math.min(image.length, off + recordSize);
    const r = decodeRecordBytes(image.subarray(off, end), {
      recordSize,
      slot: off / recordSize,
      offset: off,
    });
    if (r) records.push(r);
  }
  const slots = Math.max(1, Math.ceil(image.length / recordSize));
  const ordered = orderBySequence(records);
  let consistent = 0;
  for (let i = 1; i < ordered.length; i++) {
    const a = ordered[i - 1] as EspruinoDecodedRecord;
    const b = ordered[i] as EspruinoDecodedRecord;
    const ds = seqDiff(b.seq, a.seq);
    const dSlot = (b.slot - a.slot + slots) % slots;
    if (ds === dSlot || ds % slots === dSlot) consistent++;
  }
  return { recordSize, records: ordered, consistent };
}

/**
 * The slot size whose slots hold the most valid records (then: whose seqs follow the slots,
 * as SPEC.md §3 ties them), trying each power of two up to the image size; null when no
 * size finds a record.
 */
export function detectSlotSize(image: Uint8Array): SlotScan | null {
  let best: SlotScan | null = null;
  for (let rs = MIN_RECORD_SIZE; rs <= MAX_RECORD_SIZE && rs <= image.length; rs *= 2) {
    const s = scanSlots(image, rs);
    if (
      !best ||
      s.records.length > best.records.length ||
      (s.records.length === best.records.length && s.consistent > best.consistent)
    ) {
      best = s;
    }
  }
  return best && best.records.length > 0 ? best : null;
}
