// The retrieval module (Storage file FirmwareFile.Read, src/boards/firmware-files.ts):
// mtdoops.list(), mtdoops.dump(since, z), mtdoops.clear(upto), mtdoops.stats(). The resident API (api.ts)
// loads it when the host calls one of them and drops it after, so that the reading side
// of the log and the protocol's formatting stay out of RAM. The build binds the board to
// the entry (moduleEntrySource). Device code (docs/DIALECT.md).

import type { BoardDefinition } from "../src/boards/schema.js";
import type { SlotRecord } from "../src/core/log-core.js";
import { clearRecords, forEachRecord, readRaw } from "../src/core/log-read.js";
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
import type { Capture } from "./console-out.js";
import { out as print1, quiet as printQuiet } from "./console-out.js";
import type { DeviceLog } from "./env.js";
import { attach, detach } from "./env.js";

declare const MTDOOPS_BOARD: string;

/** What the resident API asks for. */
export const LIST = 0;
export const CLEAR = 1;
export const DUMP = 2;
export const STATS = 3;

/**
 * `what`: LIST, CLEAR (a = upto), DUMP (a = since, -1 for all; z = 1 to compress) or
 * STATS (returns mtdoops.stats()).
 */
function serve(
  log: DeviceLog,
  what: number,
  a: number,
  z: number,
  out: (line: string) => void,
  quiet: (lines: string[]) => void,
): unknown {
  const compress = log._compress;
  if (what === STATS) {
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
  if (what === LIST) {
    const lines: string[] = [];
    forEachRecord(log, (r: SlotRecord) => {
      const x = r.record;
      lines.push(
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
    return quiet(lines);
  }
  if (what === CLEAR) return out(formatCleared(clearRecords(log, a >>> 0)));
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
      if (a >= 0 && !seqNewer(seq, a >>> 0)) return;
      const raw = readRaw(log, r.slot);
      if (!raw) return;
      let enc = "b";
      let data = raw;
      if (z && compress) {
        try {
          data = compress(raw);
          enc = "h";
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

export default function retrieve(
  b: BoardDefinition,
  log: DeviceLog,
  what: number,
  a: number,
  z: number,
  cap: Capture,
  onData: (d: string) => void,
): unknown {
  // The resident capture's state and handler come with the call: this module is a bundle
  // of its own, and would otherwise get its own, idle, copy of the capture.
  const out = (line: string): void => print1(cap, line);
  const quiet = (lines: string[]): void => printQuiet(cap, onData, lines);
  try {
    attach(log, b, undefined);
  } catch (e) {
    return out(formatError(String((e as Error).message || e)));
  }
  try {
    return serve(log, what, a, z, out, quiet);
  } finally {
    detach(log);
  }
}

