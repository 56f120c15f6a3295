// The console protocol between a board (or the virtual board) and the host tools (CLI, web
// page). SPEC.md §7 is the authority. The board's side: the `format*` functions it prints
// with, and the commands the host types (device code, docs/DIALECT.md). The host's side,
// which reads these lines back, is src/host/protocol-parser.ts.
//
// A retrieval is text lines on the ordinary console, so it survives whatever else the
// board prints, and base64, because Espruino's binary file transfer corrupts bytes 0x0A:
//
//   MTDOOPS:BEGIN <version> <board> <recordSize> <slots> <boot> <nextSeq>
//   MTDOOPS:REC <seq> <slot> <length> <crc32 hex> <encoding> <data>     (one per record)
//   MTDOOPS:END <count>

import type { Crc32 } from "./crc32.js";

export const PROTOCOL_VERSION = 1;
export const TAG = "MTDOOPS:";

export interface BeginInfo {
  version: number;
  board: string;
  recordSize: number;
  slots: number;
  boot: number;
  nextSeq: number;
}

export function formatBegin(i: BeginInfo): string {
  return (
    TAG +
    "BEGIN " +
    i.version +
    " " +
    i.board +
    " " +
    i.recordSize +
    " " +
    i.slots +
    " " +
    i.boot +
    " " +
    i.nextSeq
  );
}

/**
 * One record: `raw` is the slot's bytes from offset 0 to the end of the payload (SPEC.md
 * §2); the CRC is of `raw`, the encoding "b" (base64 of raw) or "h" (base64 of heatshrink(raw)).
 */
export function formatRecord(
  seq: number,
  slot: number,
  raw: Uint8Array,
  crc: Crc32,
  encoding: string,
  data: string,
): string {
  let hex = crc(raw).toString(16);
  while (hex.length < 8) hex = "0" + hex;
  return (
    TAG + "REC " + seq + " " + slot + " " + raw.length + " " + hex + " " + encoding + " " + data
  );
}

export function formatEnd(count: number): string {
  return TAG + "END " + count;
}

export function formatCleared(count: number): string {
  return TAG + "CLEARED " + count;
}

export function formatError(message: string): string {
  return TAG + "ERROR " + message;
}

/** The commands a host types at the board's prompt (SPEC.md §7.2). */
export const commands = {
  /** Lists records newer than `since` (-1: all), compressed in transit when `compress`. */
  dump(since: number, compress: boolean): string {
    return "\x10mtdoops.dump(" + since + "," + (compress ? 1 : 0) + ")\n";
  },
  /** Frees every live record not newer than `upto`. */
  clear(upto: number): string {
    return "\x10mtdoops.clear(" + upto + ")\n";
  },
};
