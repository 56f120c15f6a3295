// The retrieval module (Storage file FirmwareFile.Read, src/boards/firmware-files.ts):
// mtdoops.list(), mtdoops.dump(since, z), mtdoops.clear(upto), mtdoops.stats(). The resident API (api.ts)
// loads it when the host calls one of them and drops it after, so that the reading side
// of the log and the protocol's formatting stay out of RAM. The build binds the board to
// the entry (moduleEntrySource). Device code (docs/DIALECT.md).

import type { BoardDefinition } from "../src/boards/schema.js";
import type { SlotRecord } from "../src/core/log-core.js";
import { clearRecords, forEachRecord } from "../src/core/log-read.js";
import {
  formatBegin,
  formatCleared,
  formatEnd,
  formatError,
  formatRecord,
  PROTOCOL_VERSION,
} from "../src/core/protocol.js";
import { HEADER_SIZE, reasonName } from "../src/core/record.js";
import { seqNewer } from "../src/core/seq.js";
import { ReadCommand } from "../src/boards/firmware-files.js";
import type { DeviceLog } from "./env.js";

declare const MTDOOPS_BOARD: string;

/**
 * `command`: List, Clear (`arg` = upto), Dump (`arg` = since, -1 for all; `compressed` = 1
 * to compress) or Stats (returns mtdoops.stats()). `out` prints a line without recording
 * it (the interpreter's own print, console.ts).
 */
export default function retrieve(
  _board: BoardDefinition,
  log: DeviceLog,
  command: number,
  arg: number,
  compressed: number,
  out: (line: string) => void,
): unknown {
  const compress = log._compress;
  if (command === ReadCommand.Stats) {
    const s = log.stats;
    const o: Record<string, number | string> = {
      state: log.state,
      boot: log.boot,
      nextSeq: log.nextSeq,
      slots: log.slots,
      written: s.written,
      lost: s.lost,
      suppressed: s.suppressed,
      filtered: s.filtered,
      erases: s.erases,
      badBlocks: s.badBlocks,
      ring: log._ring.length,
    };
    return o;
  }
  if (command === ReadCommand.List) {
    forEachRecord(log, (r: SlotRecord) => {
      const x = r.record;
      out(
        "#" +
          x.seq +
          " " +
          reasonName(x.reason) +
          " " +
          (x.time ? new Date(x.time * 1000).toISOString() : "time unknown") +
          " boot " +
          x.boot +
          " +" +
          x.uptime +
          "ms " +
          (HEADER_SIZE + x.payloadLength) +
          " bytes",
      );
    });
    return undefined;
  }
  if (command === ReadCommand.Clear) return out(formatCleared(clearRecords(log, arg >>> 0)));
  if (log.state !== "ready") return out(formatError("log " + log.state));
  try {
    out(
      formatBegin({
        version: PROTOCOL_VERSION,
        board: typeof MTDOOPS_BOARD === "string" ? MTDOOPS_BOARD : "?",
        recordSize: log.recordSize,
        slots: log.slots,
        boot: log.boot,
        nextSeq: log.nextSeq,
      }),
    );
    let n = 0;
    const crc = (d: Uint8Array): number => E.CRC32(d);
    forEachRecord(log, (r: SlotRecord) => {
      const seq = r.record.seq;
      if (arg >= 0 && !seqNewer(seq, arg >>> 0)) return;
      // The bytes the listing checked: one read of each record for the whole retrieval.
      const raw = r.bytes;
      let enc = "b";
      let data = raw;
      if (compressed && compress) {
        try {
          // Sent compressed only when that is shorter: a record whose payload is already
          // heatshrink (Flags.HEATSHRINK) does not shrink again.
          const c = compress(raw);
          if (c && c.length < raw.length) {
            data = c;
            enc = "h";
          }
        } catch (e) {
          // not compressible on this board: send it plain
        }
      }
      const s = E.toString(data);
      if (typeof s !== "string") return out(formatError("out of memory at seq " + seq));
      out(formatRecord(seq, r.slot, raw, crc, enc, btoa(s)));
      n++;
    });
    out(formatEnd(n));
  } catch (e) {
    out(formatError(String((e as Error).message || e)));
  }
  return undefined;
}
