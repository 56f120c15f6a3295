// Decoding records of our own format (SPEC.md §1-§2) into DecodedRecord objects: from a
// partition image (a dump of the raw partition, the simulator's --image file, the Linux
// build's espruino.flash), and from the bytes a retrieval received (retrieve.ts calls
// `decodeRecordBytes`, the same code).
//
// Records are self-validating (commit word, magic, version, header size, CRC-32), so the
// decoder can find them without being told the geometry:
//   - slot mode: records at multiples of the record size; when the size is not given, each
//     power of two 64..65536 is tried and the one whose slots hold the most valid records
//     (then: whose seqs follow the slots, as SPEC.md §3 ties them) wins;
//   - scan mode: every 4-byte-aligned offset whose word at +16 is the magic is tried. Used
//     for boards whose "storage" backend keeps the partition as one Storage file per erase
//     block (the Linux build's espruino.flash), and as a fallback when no slot size fits.
//
// Robustness contract: for any bytes, decodeImageDetailed returns (or throws a
// DecodeImageError for bad options or an image shorter than one slot); it never loops more
// than a pass per candidate size plus one scan.

import { crc32 } from "../core/crc32.js";
import {
  Flags,
  HEADER_SIZE,
  MAGIC,
  OFF_MAGIC,
  decodeRecord,
  getU32,
  reasonName,
  splitPayload,
} from "../core/record.js";
import type { StoredRecord } from "../core/record.js";
import { seqDiff } from "../core/seq.js";
import { heatshrinkDecompress } from "../codec/heatshrink.js";
import type { DecodedRecord } from "./decoded-record.js";
import { orderBySequence } from "./seq-order.js";

export const MIN_RECORD_SIZE = 64;
export const MAX_RECORD_SIZE = 65536;
const ERASED = 0xff;

/** How a board lays out its log partition: what the decoder needs to know of a board (boards/<id>.json has it all). */
export interface PartitionLayout {
  id: string;
  recordSize: number;
  eraseSize: number;
  backend: string;
  /** Partition size in bytes (a "storage" board's raw partition image is decoded by slots). */
  size?: number | undefined;
  storagePrefix?: string | undefined;
}

export interface DecodeImageOptions {
  /** Slot size in bytes; found from the image when absent. */
  recordSize?: number | undefined;
  /** The board whose partition this is: gives the record size and, for the "storage" backend, scan mode. */
  board?: PartitionLayout | undefined;
  /**
   * Force scan mode (find records at any 4-byte-aligned offset). A "storage" board's image
   * is scanned unless it is exactly the partition's size.
   */
  scan?: boolean | undefined;
}

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

export type DecodeImageErrorCode = "EBADARG" | "ETRUNCATED" | "ENORECORDS";

/** The only error the image decoder throws, with a message meant for the user. */
export class DecodeImageError extends Error {
  readonly code: DecodeImageErrorCode;

  constructor(code: DecodeImageErrorCode, message: string) {
    super(message);
    this.name = "DecodeImageError";
    this.code = code;
  }
}

export interface DecodeImageResult {
  records: EspruinoDecodedRecord[];
  /** The slot size used (given, from the board, or found); null in scan mode when unknown. */
  recordSize: number | null;
  recordSizeSource: "option" | "board" | "detected" | "none";
  mode: "slots" | "scan";
  /** True when every byte of the image is erased (0xFF). */
  erased: boolean;
  warnings: string[];
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

export function isPowerOfTwoSize(n: number): boolean {
  return (
    Number.isSafeInteger(n) && n >= MIN_RECORD_SIZE && n <= MAX_RECORD_SIZE && (n & (n - 1)) === 0
  );
}

function checkRecordSize(n: unknown, what: string): number {
  if (typeof n !== "number" || !isPowerOfTwoSize(n)) {
    throw new DecodeImageError(
      "EBADARG",
      `${what} must be a power of two from ${MIN_RECORD_SIZE} to ${MAX_RECORD_SIZE} (64, 128, 256, ... 4096 ...); got ${String(n)}`,
    );
  }
  return n;
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
      raw = heatshrinkDecompress(rec.payload, { maxOutput: 0xffff, strict: false });
      if (raw.length !== rec.rawLength) {
        // Espruino's compress() may drop the final byte (see heatshrink.ts); keep what came.
        if (raw.length + 1 !== rec.rawLength && raw.length < rec.rawLength) {
          payloadError = `decompressed to ${raw.length} bytes, the header says ${rec.rawLength}`;
        }
        if (raw.length > rec.rawLength) raw = raw.subarray(0, rec.rawLength);
      }
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

function isAllErased(image: Uint8Array): boolean {
  for (let i = 0; i < image.length; i++) if (image[i] !== ERASED) return false;
  return true;
}

interface SlotScan {
  recordSize: number;
  records: EspruinoDecodedRecord[];
  /** Pairs of records next in seq order whose seq distance equals their slot distance. */
  consistent: number;
}

function quickCandidate(image: Uint8Array, off: number): boolean {
  return off + HEADER_SIZE <= image.length && getU32(image, off + OFF_MAGIC) === MAGIC;
}

function scanSlots(image: Uint8Array, recordSize: number): SlotScan {
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

interface StorageFileRef {
  name: string;
  live: boolean;
  block: number | null;
  k: number;
}

/**
 * Finds the Espruino Storage file header (u32 size with flags in the top byte, 28-byte
 * name) in front of a record found by scanning: the record is slot k of a file whose block
 * data starts k record sizes before it, after an optional 8-byte block marker (the
 * firmware's storage backend writes one). A deleted or replaced file has the first 4 bytes
 * of its name zeroed (Espruino src/jsflash.h).
 */
function findStorageFile(
  image: Uint8Array,
  off: number,
  recordSize: number,
  slotsPerBlock: number,
  prefix: string | undefined,
): StorageFileRef | null {
  for (let k = 0; k < slotsPerBlock; k++) {
    for (const marker of [8, 0]) {
      const h = off - k * recordSize - marker - 32;
      if (h < 0) continue;
      const f = storageHeaderAt(
        image,
        h,
        marker + (k + 1) * recordSize - recordSize + HEADER_SIZE,
        prefix,
      );
      if (f) return { ...f, k };
    }
  }
  return null;
}

function storageHeaderAt(
  image: Uint8Array,
  h: number,
  minSize: number,
  prefix: string | undefined,
): Omit<StorageFileRef, "k"> | null {
  const size = getU32(image, h) & 0xffffff;
  if (size === 0xffffff || size < minSize) return null;
  const nameBytes = image.subarray(h + 4, h + 32);
  let len = nameBytes.indexOf(0, 4);
  if (len < 0) len = 28;
  const firstZero =
    nameBytes[0] === 0 && nameBytes[1] === 0 && nameBytes[2] === 0 && nameBytes[3] === 0;
  if (len <= (firstZero ? 4 : 0)) return null;
  for (let i = firstZero ? 4 : 0; i < len; i++) {
    const c = nameBytes[i] as number;
    if (c < 0x20 || c > 0x7e) return null;
  }
  for (let i = len; i < 28; i++) if (nameBytes[i] !== 0) return null;
  const tail = String.fromCharCode(...nameBytes.subarray(firstZero ? 4 : 0, len));
  if (prefix !== undefined) {
    if (!firstZero) {
      if (!tail.startsWith(prefix) || !/^\d+$/.test(tail.slice(prefix.length))) return null;
      return { name: tail, live: true, block: Number(tail.slice(prefix.length)) };
    }
    const rest = prefix.slice(4);
    if (prefix.length >= 4 && tail.startsWith(rest) && /^\d+$/.test(tail.slice(rest.length))) {
      return {
        name: prefix + tail.slice(rest.length),
        live: false,
        block: Number(tail.slice(rest.length)),
      };
    }
    return null;
  }
  const m = /^(.*?)(\d+)$/.exec(tail);
  if (!m) return null;
  return { name: firstZero ? "????" + tail : tail, live: !firstZero, block: Number(m[2]) };
}

function scanAnywhere(
  image: Uint8Array,
  board: PartitionLayout | undefined,
  recordSize: number | null,
): {
  records: EspruinoDecodedRecord[];
  stale: number;
} {
  const bound = recordSize ?? MAX_RECORD_SIZE;
  const slotsPerBlock =
    board && recordSize ? Math.max(1, Math.floor(board.eraseSize / recordSize)) : 0;
  const live: EspruinoDecodedRecord[] = [];
  const stale: EspruinoDecodedRecord[] = [];
  let off = 0;
  while (off + HEADER_SIZE <= image.length) {
    if (!quickCandidate(image, off)) {
      off += 4;
      continue;
    }
    const r = decodeRecordBytes(image.subarray(off, Math.min(image.length, off + bound)), {
      recordSize: bound,
      slot: -1,
      offset: off,
    });
    if (!r) {
      off += 4;
      continue;
    }
    let isLive = true;
    if (recordSize && slotsPerBlock > 0) {
      const f = findStorageFile(image, off, recordSize, slotsPerBlock, board?.storagePrefix);
      if (f) {
        r.storageFile = f.name;
        isLive = f.live;
        if (f.block !== null) r.slot = f.block * slotsPerBlock + f.k;
      } else if (off % recordSize === 0) r.slot = off / recordSize;
    }
    (isLive ? live : stale).push(r);
    off += Math.ceil(r.length / 4) * 4;
  }
  // A stale copy (a deleted Storage file) is dropped; so is any second copy of a seq.
  const seen = new Set<number>();
  const out: EspruinoDecodedRecord[] = [];
  for (const r of live) {
    if (seen.has(r.seq)) continue;
    seen.add(r.seq);
    out.push(r);
  }
  return { records: orderBySequence(out), stale: stale.length };
}

/** Decodes every valid record of an image, oldest first (serial order on seq). */
export function decodeImageDetailed(
  image: Uint8Array,
  options: DecodeImageOptions = {},
): DecodeImageResult {
  if (!(image instanceof Uint8Array))
    throw new DecodeImageError("EBADARG", "the image must be bytes");
  const warnings: string[] = [];
  const board = options.board;
  let recordSize: number | null = null;
  let source: DecodeImageResult["recordSizeSource"] = "none";
  if (options.recordSize !== undefined) {
    recordSize = checkRecordSize(options.recordSize, "--record-size");
    source = "option";
    if (board && board.recordSize !== recordSize) {
      warnings.push(
        `--record-size ${recordSize} differs from board ${board.id}'s record size ${board.recordSize}`,
      );
    }
  } else if (board) {
    recordSize = checkRecordSize(board.recordSize, `board ${board.id}'s recordSize`);
    source = "board";
  }
  if (image.length === 0) throw new DecodeImageError("ETRUNCATED", "the image is empty (0 bytes)");
  const erased = isAllErased(image);
  // A "storage" board's whole Storage area (espruino.flash) is scanned; its raw partition
  // (board.size bytes, as the simulator keeps it) has slots like any other.
  const scanMode =
    options.scan === true || (board?.backend === "storage" && image.length !== board.size);

  if (!scanMode) {
    if (recordSize !== null) {
      if (image.length < recordSize) {
        throw new DecodeImageError(
          "ETRUNCATED",
          `the image is ${image.length} bytes, shorter than one ${recordSize}-byte record slot: it is truncated, or the record size is wrong`,
        );
      }
      if (image.length % recordSize !== 0) {
        warnings.push(
          `the image (${image.length} bytes) ends inside slot ${Math.floor(image.length / recordSize)}: it looks truncated`,
        );
      }
      const s = scanSlots(image, recordSize);
      if (s.records.length > 0 || erased) {
        return {
          records: s.records,
          recordSize,
          recordSizeSource: source,
          mode: "slots",
          erased,
          warnings,
        };
      }
    } else {
      if (image.length < MIN_RECORD_SIZE) {
        throw new DecodeImageError(
          "ETRUNCATED",
          `the image is ${image.length} bytes, shorter than the smallest record slot (${MIN_RECORD_SIZE} bytes): it is truncated or not a partition image`,
        );
      }
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
      if (best && best.records.length > 0) {
        if (image.length % best.recordSize !== 0) {
          warnings.push(
            `the image (${image.length} bytes) ends inside slot ${Math.floor(image.length / best.recordSize)} of ${best.recordSize} bytes: it looks truncated`,
          );
        }
        return {
          records: best.records,
          recordSize: best.recordSize,
          recordSizeSource: "detected",
          mode: "slots",
          erased,
          warnings,
        };
      }
      if (erased)
        return {
          records: [],
          recordSize: null,
          recordSizeSource: "none",
          mode: "slots",
          erased,
          warnings,
        };
    }
  }
  // Scan mode, asked for or as the last resort.
  const found = scanAnywhere(image, board, recordSize);
  if (found.stale > 0) {
    warnings.push(
      `${found.stale} record(s) in deleted Storage files were ignored (erased blocks awaiting compaction)`,
    );
  }
  if (!scanMode && found.records.length > 0) {
    warnings.push(
      "no record sits at a slot boundary: records were found by scanning the whole image",
    );
  }
  return {
    records: found.records,
    recordSize,
    recordSizeSource: source,
    mode: "scan",
    erased,
    warnings,
  };
}

/**
 * Decodes every valid record of an image, oldest first. An image with no record is fine
 * when it is erased (returns []); otherwise it is not one of ours: DecodeImageError ENORECORDS.
 */
export function decodeImage(
  image: Uint8Array,
  options: DecodeImageOptions = {},
): EspruinoDecodedRecord[] {
  const r = decodeImageDetailed(image, options);
  if (r.records.length === 0 && !r.erased) throw noRecordsError(r, options);
  return r.records;
}

export function noRecordsError(
  r: DecodeImageResult,
  options: DecodeImageOptions,
): DecodeImageError {
  const how =
    r.recordSizeSource === "none"
      ? "at any record size from 64 to 65536 bytes nor anywhere in it"
      : `with ${r.recordSize}-byte slots nor anywhere in it`;
  const hint =
    options.board?.backend === "storage"
      ? ""
      : "; for a Linux kernel mtdoops partition use --format linux --record-size <n>";
  return new DecodeImageError(
    "ENORECORDS",
    `no espruino-mtdoops record found ${how}: not an espruino-mtdoops image, or a wrong --record-size${hint}`,
  );
}
