// Reading one slot (its header, or its record with the CRC checked and retried), for
// mounting (log-mount.ts) and reading back (log-read.ts): not part of the resident write
// path. Device code (docs/DIALECT.md).

import type { LogCore } from "./log-core.js";
import {
  decodeHeader,
  decodeRecord,
  getU32,
  HEADER_SIZE,
  headerState,
  isErased,
  isFreedWord,
  OFF_CRC,
  OFF_CRC_START,
  OFF_FREED,
} from "./record.js";
import type { StoredRecord } from "./record.js";

/** A record without its payload: what the mount and a clear need to know of it (readChecked). */
export type CheckedRecord = Omit<StoredRecord, "payload">;

/**
 * A valid record (readValid) and the bytes it was checked on: the header and the payload, as
 * one read returned them. A caller that wants the stored bytes (a retrieval sends them to the
 * host) takes these, not a second read, which costs the time of the first and could return
 * bytes other than the ones whose CRC passed.
 */
export interface ValidRecord {
  record: StoredRecord;
  bytes: Uint8Array;
}

/** A slot's header bytes; counts the read (MountInfo.headersRead). */
export function readHeader(log: LogCore, slot: number): Uint8Array {
  log._headersRead++;
  return log.flash.read(slot * log.recordSize, HEADER_SIZE);
}

/**
 * readValid (with `decode`, which checks and decodes the whole record's bytes) or
 * readChecked (without): the reads and their retries are the same. `decode` is passed in,
 * not called here, so that a module that uses only readChecked (the mount's, which the
 * board copies into RAM at every boot, 0.3 L per KB) bundles no record decoder.
 */
function readSlot(
  log: LogCore,
  slot: number,
  decode: ((b: Uint8Array) => StoredRecord | null) | null,
): CheckedRecord | null {
  const ev = log.geometry.erasedValue;
  const f = log.flash;
  const base = slot * log.recordSize;
  const at = base + OFF_CRC_START;
  const k = HEADER_SIZE - OFF_CRC_START;
  let dirty = 0;
  for (let t = 0; t < 3; t++) {
    const h = readHeader(log, slot);
    if (headerState(h, log.recordSize, ev) !== "committed") {
      if (isErased(h, 0, HEADER_SIZE, ev) || ++dirty > 1) return null;
      continue;
    }
    const r = decodeHeader(h) as CheckedRecord;
    if (decode) {
      const v = decode(f.read(base, HEADER_SIZE + r.payloadLength));
      if (v) return v;
      continue;
    }
    const n = k + r.payloadLength;
    r.crc = getU32(h, OFF_CRC);
    if (
      (f.crc32 ? f.crc32(at, n) : log._crc(f.read(at, n))) === r.crc &&
      (f.crc32 ? f.crc32(at, k) : log._crc(f.read(at, k))) ===
        log._crc(h.subarray(OFF_CRC_START, HEADER_SIZE))
    ) {
      r.freed = isFreedWord(getU32(h, OFF_FREED));
      return r;
    }
  }
  return null;
}

/**
 * The record in a slot, or null. A read may flip a bit (the Flash contract), so a slot
 * whose header says committed but whose CRC fails is read again before it is given up:
 * one flipped bit must not make the log forget its newest record. A header that reads
 * neither committed nor erased is given up only when it reads so twice: after a CRC that
 * failed on a flip, the next header read can flip too (the fault campaign's seed
 * 924759007 on the linux board lost its only record that way).
 */
export function readValid(log: LogCore, slot: number): ValidRecord | null {
  let bytes: Uint8Array | undefined;
  const r = readSlot(log, slot, (b) => {
    bytes = b;
    return decodeRecord(b, log.recordSize, log.geometry.erasedValue, log._crc);
  });
  // The read's length came from the header read before it, which a flip can lengthen: the
  // record is the bytes its own header counts.
  return r
    ? {
        record: r as StoredRecord,
        bytes: (bytes as Uint8Array).subarray(0, HEADER_SIZE + r.payloadLength),
      }
    : null;
}

/**
 * As readValid, without the payload: the header, and the record's CRC checked where the
 * record lies when the backend can (Flash crc32), else on a read of it. The mount wants
 * only the newest record's seq and boot, and a record's bytes are a slot long: read whole,
 * they were a KB of copy, and on the Linux build 0.45 L of a boot, for a CRC. The CRC is
 * taken on a second read of the record, so the header fields returned come from a first
 * one: they are trusted only when that read's bytes under the CRC (offsets 24 to 48) have
 * the CRC of the same bytes on the medium, so that a bit flipped in the first read cannot
 * pass.
 */
export function readChecked(log: LogCore, slot: number): CheckedRecord | null {
  return readSlot(log, slot, null);
}
