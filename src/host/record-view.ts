// The record view: one record of our format (SPEC.md §1-§2) as the user sees it (the CLI's
// text and --json, index.json), and the one check every host reader uses to accept a
// record's bytes (decodeRecordBytes: the image decoder, and retrieve.ts for the bytes a
// REC line carried).

import {
  Flags,
  HEADER_SIZE,
  decodeRecord,
  reasonName,
  splitPayload,
  unpadded,
} from "../core/record.js";
import type { StoredRecord } from "../core/record.js";
import { heatshrinkDecompress } from "../codec/heatshrink.js";
import { crc32 } from "../core/crc32.js";
import type { DecodedRecord } from "./decoded-record.js";

export const ERASED = 0xff;

/** A record of our format, as the CLI prints it and index.json stores it. */
export interface EspruinoDecodedRecord extends DecodedRecord {
  origin: "espruino-mtdoops";
  boot: number;
  /** Milliseconds since the board booted (mod 2^32). */
  uptimeMs: number;
  /** Names of the flag bits set: "HEATSHRINK", "TRUNCATED", "UNEXPECTED", or "bitN". */
  flags: string[];
  /** The context JSON object (SPEC.md §2.5), or null when absent or unreadable. */
  context: Record<string, unknown> | null;
  /** The host has saved it and the board freed it (SPEC.md §4). */
  freed: boolean;
  /** Older console output existed that the record does not hold. */
  truncated: boolean;
  /** The payload was heatshrink-compressed on flash. */
  compressed: boolean;
  /** The reason code as stored. */
  reasonCode: number;
  /** The record's CRC-32 (hex). */
  crc: string;
  /** Bytes of the record from the slot start to the end of its payload. */
  length: number;
  /** Present when the payload could not be read (bad compression, bad layout); text is then "". */
  payloadError?: string;
  /** Scan mode: the Storage file the record was found in. */
  storageFile?: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const FLAG_NAMES: Array<[number, string]> = [
  [Flags.HEATSHRINK, "HEATSHRINK"],
  [Flags.TRUNCATED, "TRUNCATED"],
  [Flags.UNEXPECTED, "UNEXPECTED"],
];

export function flagNames(flags: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) out.push(name);
  for (let b = 3; b < 8; b++) if (flags & (1 << b)) out.push("bit" + b);
  return out;
}

function timeIso(seconds: number): string | null {
  if (seconds === 0) return null;
  return new Date(seconds * 1000).toISOString();
}

/** Turns a validated stored record into the user-facing shape. */
export function toDecodedRecord(
  rec: StoredRecord,
  where: { slot: number; offset: number; length: number },
): EspruinoDecodedRecord {
  const compressed = (rec.flags & Flags.HEATSHRINK) !== 0;
  let payloadError: string | undefined;
  let text = "";
  let context: Record<string, unknown> | null = null;
  let raw: Uint8Array | null = rec.payload;
  if (compressed) {
    try {
      const decoded = heatshrinkDecompress(rec.payload, {
        maxOutput: 0x10000,
        strict: false,
      });
      // The board's byte of padding goes (unpadded()). A stream one byte short is kept as
      // it came: Espruino's compress() can drop the last byte it is given (heatshrink.ts),
      // which a writer without the padding stores so.
      raw = unpadded(decoded, rec.rawLength) ?? decoded;
      if (raw.length !== rec.rawLength && raw.length + 1 !== rec.rawLength)
        payloadError = `decompressed to ${raw.length} bytes, the header says ${rec.rawLength}`;
    } catch (e) {
      raw = null;
      payloadError =
        "the compressed payload does not decompress: " +
        (e instanceof Error ? e.message : String(e));
    }
  }
  if (raw) {
    const parts = splitPayload(raw);
    if (!parts) {
      payloadError = payloadError ?? "the payload is too short for its context length";
    } else {
      text = utf8.decode(parts.console);
      if (parts.context.length > 0) {
        try {
          const v: unknown = JSON.parse(utf8.decode(parts.context));
          if (v && typeof v === "object" && !Array.isArray(v))
            context = v as Record<string, unknown>;
        } catch {
          // A context cut to fit the slot is not JSON: keep its text.
          context = { unparsed: utf8.decode(parts.context) };
        }
      }
    }
  }
  const out: EspruinoDecodedRecord = {
    origin: "espruino-mtdoops",
    seq: rec.seq,
    reason: reasonName(rec.reason),
    time: timeIso(rec.time),
    text,
    slot: where.slot,
    offset: where.offset,
    boot: rec.boot,
    uptimeMs: rec.uptime,
    flags: flagNames(rec.flags),
    context,
    freed: rec.freed,
    truncated: (rec.flags & Flags.TRUNCATED) !== 0,
    compressed,
    reasonCode: rec.reason,
    crc: rec.crc.toString(16).padStart(8, "0"),
    length: where.length,
  };
  if (payloadError !== undefined) out.payloadError = payloadError;
  return out;
}

/**
 * Validates and decodes one record's bytes (from the slot start; at least to the end of its
 * payload). Null unless the record is valid (SPEC.md §1): the one check every reader uses.
 */
export function decodeRecordBytes(
  raw: Uint8Array,
  where: { recordSize: number; slot: number; offset: number },
): EspruinoDecodedRecord | null {
  const rec = decodeRecord(raw, where.recordSize, ERASED, crc32);
  if (!rec) return null;
  return toDecodedRecord(rec, {
    slot: where.slot,
    offset: where.offset,
    length: HEADER_SIZE + rec.payloadLength,
  });
}
