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
// than a pass per candidate size plus one scan, each linear in the image size whatever the
// bytes (slot-size.ts, storage-carve.ts). The pieces: record-view.ts (one record as the
// user sees it), slot-size.ts (slot mode and finding the size), storage-carve.ts (scan
// mode and the Storage files records sit in).

import { ERASED } from "./record-view.js";
import type { EspruinoDecodedRecord } from "./record-view.js";
import {
  MAX_RECORD_SIZE,
  MIN_RECORD_SIZE,
  detectSlotSize,
  isPowerOfTwoSize,
  scanSlots,
} from "./slot-size.js";
import { scanAnywhere } from "./storage-carve.js";
import type { PartitionLayout } from "./storage-carve.js";

export { MAX_RECORD_SIZE, MIN_RECORD_SIZE, isPowerOfTwoSize } from "./slot-size.js";
export { decodeRecordBytes, flagNames } from "./record-view.js";
export type { EspruinoDecodedRecord } from "./record-view.js";
export type { PartitionLayout } from "./storage-carve.js";

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

function checkRecordSize(n: unknown, what: string): number {
  if (typeof n !== "number" || !isPowerOfTwoSize(n)) {
    throw new DecodeImageError(
      "EBADARG",
      `${what} must be a power of two from ${MIN_RECORD_SIZE} to ${MAX_RECORD_SIZE} (64, 128, 256, ... 4096 ...); got ${String(n)}`,
    );
  }
  return n;
}

function isAllErased(image: Uint8Array): boolean {
  for (let i = 0; i < image.length; i++) if (image[i] !== ERASED) return false;
  return true;
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
      const best = detectSlotSize(image);
      if (best) {
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
