// Reading one slot (its header, or its record with the CRC checked and retried), for
// mounting (log-mount.ts) and reading back (log-read.ts): not part of the resident write
// path. Device code (docs/DIALECT.md).

import type { LogCore } from "./log-core.js";
import { decodeHeader, decodeRecord, HEADER_SIZE, headerState, isErased } from "./record.js";
import type { StoredRecord } from "./record.js";

/** A slot's header bytes; counts the read (MountInfo.headersRead). */
export function readHeader(log: LogCore, slot: number): Uint8Array {
  log._headersRead++;
  return log.flash.read(slot * log.recordSize, HEADER_SIZE);
}

/**
 * The record in a slot, or null. A read may flip a bit (the Flash contract), so a slot
 * whose header says committed but whose CRC fails is read again before it is given up:
 * one flipped bit must not make the log forget its newest record. A header that reads
 * neither committed nor erased is given up only when it reads so twice: after a CRC that
 * failed on a flip, the next header read can flip too (the fault campaign's seed
 * 924759007 on the linux board lost its only record that way).
 */
export function readValid(log: LogCore, slot: number): StoredRecord | null {
  const ev = log.geometry.erasedValue;
  let dirty = 0;
  for (let t = 0; t < 3; t++) {
    const h = readHeader(log, slot);
    if (headerState(h, log.recordSize, ev) !== "committed") {
      if (isErased(h, 0, HEADER_SIZE, ev) || ++dirty > 1) return null;
      continue;
    }
    const len = HEADER_SIZE + decodeHeader(h).payloadLength;
    const r = decodeRecord(
      log.flash.read(slot * log.recordSize, len),
      log.recordSize,
      ev,
      log._crc,
    );
    if (r) return r;
  }
  return null;
}
