// The global `mtdoops` object: the device-side commands (docs/FIRMWARE.md, SPEC.md §7).
// Device code.

import type { BoardDefinition } from "../src/boards/schema.js";
import type { CrashLog, SlotRecord } from "../src/core/log.js";
import {
  formatBegin,
  formatCleared,
  formatEnd,
  formatError,
  formatRecord,
  PROTOCOL_VERSION,
} from "../src/core/protocol.js";
import { HEADER_SIZE, Reason, reasonName } from "../src/core/record.js";
import type { ConsoleRing } from "../src/core/ring.js";
import { seqNewer } from "../src/core/serial.js";
import type { Capture } from "./console.js";
import type { ContextFn } from "./context.js";
import { LIB } from "./context.js";
import type { EspE } from "./espruino.js";

declare const E: EspE;
declare const btoa: (s: string) => string;

export interface MtdoopsApi {
  version: string;
  /** Writes a panic record now, synchronously; true when it is on flash. */
  panic(message: string): boolean;
  /** Queues an oops record (written once the console so far is captured); false when the log is not ready. */
  oops(message: string): boolean;
  /** Writes "[note] message" into the console ring (not printed). */
  note(message: string): void;
  /** Prints one human-readable line per live record. */
  list(): void;
  /** Frees the live records not newer than `upto`; prints MTDOOPS:CLEARED. */
  clear(upto: number): void;
  /** The retrieval command (SPEC.md §7): records newer than `since` (-1: all); z=1 compresses. */
  dump(since: number, z: number): void;
  stats(): Record<string, number | string>;
}

export function makeApi(
  b: BoardDefinition,
  log: CrashLog,
  ring: ConsoleRing,
  cap: Capture,
  ctx: ContextFn,
  compress: (d: Uint8Array) => Uint8Array,
): MtdoopsApi {
  const out = cap.out;
  const crc = (d: Uint8Array): number => E.CRC32(d);
  return {
    version: LIB,
    panic: (m: string): boolean => log.panic(ctx(String(m))),
    oops: (m: string): boolean => {
      cap.later(() => {
        log.dump(Reason.OOPS, ctx(String(m)));
      });
      return log.state === "ready";
    },
    note: (m: string): void => {
      ring.writeString("[note] " + m + "\n");
    },
    list: (): void => {
      const lines: string[] = [];
      log.forEach((r: SlotRecord) => {
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
      cap.quiet(lines);
    },
    clear: (upto: number): void => {
      out(formatCleared(log.clear(upto >>> 0)));
    },
    dump: (since: number, z: number): void => {
      if (log.state !== "ready") return out(formatError("log " + log.state));
      try {
        out(
          formatBegin({
            version: PROTOCOL_VERSION,
            board: b.id,
            recordSize: log.recordSize,
            slots: log.slots,
            boot: log.boot,
            nextSeq: log.nextSeq,
          }),
        );
        let n = 0;
        log.forEach((r: SlotRecord) => {
          const seq = r.record.seq;
          if (since >= 0 && !seqNewer(seq, since >>> 0)) return;
          const raw = log.readRaw(r.slot);
          if (!raw) return;
          let enc = "b";
          let data = raw;
          if (z) {
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
    },
    stats: (): Record<string, number | string> => {
      const s = log.stats;
      return {
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
        ring: ring.length,
      };
    },
  };
}
