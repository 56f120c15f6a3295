// One record as the page lists it, from a board (our format) or a dropped image (ours or
// Linux mtdoops): the columns of the table and what the detail view and downloads need.

import { recordFileBase, recordText } from "../host/archive-core.js";
import type { EspruinoDecodedRecord } from "../host/decode-image.js";
import type { DecodedRecord } from "../host/decoded-record.js";

export interface PageRecord {
  seq: number;
  time: string | null;
  reason: string;
  boot: number | null;
  /** Bytes of the record (slot start to payload end), or of the text for Linux records. */
  size: number;
  flags: string[];
  context: Record<string, unknown> | null;
  text: string;
  /** The .txt file's content (the CLI's archive format for ours; the text for Linux records). */
  fileText: string;
  /** The record's bytes as on flash, when known. */
  raw: Uint8Array | null;
  /** File name base: dmesg-mtdoops-<seq>. */
  base: string;
  decoded: DecodedRecord;
}

export function fromEspruino(r: EspruinoDecodedRecord, raw: Uint8Array | null): PageRecord {
  const flags = [...r.flags];
  if (r.freed) flags.push("FREED");
  if (r.payloadError) flags.push("PAYLOAD-ERROR");
  return {
    seq: r.seq,
    time: r.time,
    reason: r.reason,
    boot: r.boot,
    size: r.length,
    flags,
    context: r.context,
    text: r.text,
    fileText: recordText(r),
    raw,
    base: recordFileBase(r.seq),
    decoded: r,
  };
}

export function fromLinux(r: DecodedRecord, image: Uint8Array, recordSize: number): PageRecord {
  const hv = r["headerVersion"];
  return {
    seq: r.seq,
    time: r.time,
    reason: r.reason,
    boot: null,
    size: r.text.length,
    flags: typeof hv === "number" ? [`v${hv}`] : [],
    context: null,
    text: r.text,
    fileText: r.text + (r.text.endsWith("\n") ? "" : "\n"),
    raw: image.slice(r.offset, r.offset + recordSize),
    base: recordFileBase(r.seq),
    decoded: r,
  };
}
