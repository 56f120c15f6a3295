// Decoder for partition images written by Linux's own mtdoops driver
// (drivers/mtd/mtdoops.c). The kernel only writes these records and has no reader;
// users dump /dev/mtdN and hand the image to `mtdoops decode --format linux`.
//
// On-flash format (docs/LINUX-MTDOOPS.md; drivers/mtd/mtdoops.c: struct mtdoops_hdr,
// mtdoops_write, find_next_position):
//   slot i at byte offset i * record_size, one record per slot;
//   v1 header (2.6.2x - 5.18): u32 seq, u32 magic 0x5d005d00, text from byte 8;
//   v2 header (5.19+):         u32 seq, u32 magic 0x5d005e00, s64 timestamp (ns since
//                              the Unix epoch, CLOCK_REALTIME), text from byte 16;
//   all fields in the writing CPU's native byte order; no length field, no CRC;
//   the unused tail of a slot is 0xFF; seq 0xffffffff is never written;
//   a slot whose first 8 bytes are all 0xFF is empty.
//
// Robustness contract: for any image and any valid options the decoder returns a result
// (never throws, never loops beyond a single pass per slot plus one 16-byte-stride scan,
// allocates O(image size)). Only invalid options, or an image shorter than one slot,
// throw, and only LinuxMtdoopsError.

import type { DecodedRecord } from "./decoded-record.js";
import { orderBySequence } from "./seq-order.js";

/** Magic of the 8-byte header (2.6.2x console driver up to ~5.18). */
export const MTDOOPS_MAGIC_V1 = 0x5d005d00;
/** Magic of the 16-byte header with the CLOCK_REALTIME timestamp (~5.19+). */
export const MTDOOPS_MAGIC_V2 = 0x5d005e00;
/** The kernel never writes this seq; with an 0xffffffff magic it marks an erased slot. */
export const MTDOOPS_SEQ_UNUSED = 0xffffffff;
/** Smallest and step of the record sizes this decoder accepts (mainline needs 4096). */
export const LINUX_RECORD_SIZE_STEP = 16;
/** Record size granularity mainline mtdoops enforces (`record_size & 4095` must be 0). */
export const MAINLINE_RECORD_SIZE_STEP = 4096;

export type LinuxEndian = "le" | "be";

export interface LinuxDecodeOptions {
  /** Slot size in bytes (mtdoops' record_size module parameter; not stored on flash). */
  recordSize: number;
  /** Byte order of the CPU that wrote the image; detected from the magics when absent. */
  endian?: LinuxEndian | undefined;
}

export interface LinuxDecodedRecord extends DecodedRecord {
  origin: "linux-mtdoops";
  /** mtdoops does not store the dump reason. */
  reason: "unknown";
  /** 1 for the 8-byte header (magic 0x5d005d00), 2 for the 16-byte one (0x5d005e00). */
  headerVersion: 1 | 2;
  /** v2 only: the raw signed 64-bit timestamp in nanoseconds since the epoch, as a decimal string. */
  timestampNs?: string;
}

export interface LinuxSkippedSlot {
  slot: number;
  offset: number;
  why: string;
}

export interface LinuxDecodeResult {
  /** Byte order used to decode (given, detected, or "le" by default when nothing matched). */
  endian: LinuxEndian;
  /** "option": from options.endian; "detected": from the magics; "default": no magic in either order. */
  endianSource: "option" | "detected" | "default";
  recordSize: number;
  /** Number of whole slots: floor(image.length / recordSize). */
  slots: number;
  /** Valid records, oldest first (serial-number order on seq; equal seqs keep slot order). */
  records: LinuxDecodedRecord[];
  /** Slots that are neither records nor fully erased, and a trailing partial slot. */
  skipped: LinuxSkippedSlot[];
  /** Indexes of fully erased slots (every byte 0xFF), ascending. */
  emptySlots: number[];
  /** Hints for the user (byte order, suspicious record size); empty when all looks normal. */
  warnings: string[];
}

export type LinuxMtdoopsErrorCode = "EBADARG" | "EFORMAT";

/** The only error the decoder throws: bad options (EBADARG) or an image shorter than one slot (EFORMAT). */
export class LinuxMtdoopsError extends Error {
  readonly code: LinuxMtdoopsErrorCode;

  constructor(code: LinuxMtdoopsErrorCode, message: string) {
    super(message);
    this.name = "LinuxMtdoopsError";
    this.code = code;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

const MAX_DATE_MS = 8_640_000_000_000_000n;
const NS_PER_MS = 1_000_000n;

function hex32(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}

function isMagic(v: number): boolean {
  return v === MTDOOPS_MAGIC_V1 || v === MTDOOPS_MAGIC_V2;
}

function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) {
    return String(v);
  }
  return typeof v;
}

function validate(image: unknown, options: unknown): { recordSize: number; endian?: LinuxEndian } {
  if (!(image instanceof Uint8Array)) {
    throw new LinuxMtdoopsError(
      "EBADARG",
      `image must be a Uint8Array; got ${describeValue(image)}`,
    );
  }
  if (typeof options !== "object" || options === null) {
    throw new LinuxMtdoopsError(
      "EBADARG",
      "options must be an object { recordSize, endian? } (--record-size is required)",
    );
  }
  const { recordSize, endian } = options as { recordSize?: unknown; endian?: unknown };
  if (
    typeof recordSize !== "number" ||
    !Number.isSafeInteger(recordSize) ||
    recordSize < LINUX_RECORD_SIZE_STEP ||
    recordSize % LINUX_RECORD_SIZE_STEP !== 0
  ) {
    throw new LinuxMtdoopsError(
      "EBADARG",
      `--record-size must be a whole number of bytes, a multiple of ${LINUX_RECORD_SIZE_STEP} and at least ` +
        `${LINUX_RECORD_SIZE_STEP} (mainline mtdoops uses multiples of ${MAINLINE_RECORD_SIZE_STEP}, default 4096); ` +
        `got ${describeValue(recordSize)}`,
    );
  }
  if (endian !== undefined && endian !== "le" && endian !== "be") {
    throw new LinuxMtdoopsError(
      "EBADARG",
      `--endian must be "le" or "be" (or left out to detect it); got ${describeValue(endian)}`,
    );
  }
  if (image.length < recordSize) {
    throw new LinuxMtdoopsError(
      "EFORMAT",
      image.length === 0
        ? "image is empty: it must hold at least one whole slot of --record-size bytes"
        : `image is ${image.length} bytes, shorter than one slot of --record-size ${recordSize} bytes; ` +
            `the image is truncated or --record-size is too large (it must be at most the image length)`,
    );
  }
  return endian === undefined ? { recordSize } : { recordSize, endian };
}

/** ns since the epoch -> ISO-8601 with ms precision (floor), null for 0 or outside the Date range. */
function timestampToIso(ns: bigint): string | null {
  if (ns === 0n) return null;
  let ms = ns / NS_PER_MS;
  if (ns < 0n && ms * NS_PER_MS !== ns) ms -= 1n; // floor, not truncate, before 1970
  // Every s64 ns value (±292 years) fits the Date range (±273,790 years); kept as a guard.
  if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) return null;
  return new Date(Number(ms)).toISOString();
}

/** Text bytes of a slot: trailing 0xFF run stripped, then cut at the first 0x00. */
function slotText(image: Uint8Array, start: number, end: number): string {
  let stop = end;
  while (stop > start && image[stop - 1] === 0xff) stop--;
  const body = image.subarray(start, stop);
  const nul = body.indexOf(0);
  return utf8.decode(nul === -1 ? body : body.subarray(0, nul));
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Decode a raw dump of an mtdoops partition (no OOB data) into its records. */
export function decodeLinuxMtdoopsImage(
  image: Uint8Array,
  options: LinuxDecodeOptions,
): LinuxDecodeResult {
  const opts = validate(image, options);
  const recordSize = opts.recordSize;
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const slots = Math.floor(image.length / recordSize);
  const warnings: string[] = [];

  if (recordSize % MAINLINE_RECORD_SIZE_STEP !== 0) {
    warnings.push(
      `--record-size ${recordSize} is not a multiple of ${MAINLINE_RECORD_SIZE_STEP}: mainline mtdoops refuses ` +
        `such sizes, so this only fits vendor kernels`,
    );
  }

  // Byte order: count slots whose magic matches in each order.
  let leHits = 0;
  let beHits = 0;
  for (let s = 0; s < slots; s++) {
    const off = s * recordSize + 4;
    if (isMagic(view.getUint32(off, true))) leHits++;
    if (isMagic(view.getUint32(off, false))) beHits++;
  }
  let endian: LinuxEndian;
  let endianSource: LinuxDecodeResult["endianSource"];
  if (opts.endian !== undefined) {
    endian = opts.endian;
    endianSource = "option";
    const mine = endian === "le" ? leHits : beHits;
    const other = endian === "le" ? beHits : leHits;
    if (mine === 0 && other > 0) {
      const flip = endian === "le" ? "be" : "le";
      warnings.push(
        `no slot has an mtdoops magic in the given byte order (${endian}), but ${other} slot(s) match in ` +
          `${flip}: try --endian ${flip} or leave --endian out`,
      );
    }
  } else if (leHits === 0 && beHits === 0) {
    endian = "le";
    endianSource = "default";
  } else {
    endian = beHits > leHits ? "be" : "le";
    endianSource = "detected";
    if (leHits > 0 && beHits > 0) {
      warnings.push(
        `mtdoops magics found in both byte orders (${leHits} le, ${beHits} be); decoded as ${endian}, ` +
          `slots in the other order are skipped`,
      );
    }
  }
  if (leHits === 0 && beHits === 0) {
    warnings.push(
      "no slot starts with an mtdoops header (magic 0x5d005d00 or 0x5d005e00) in either byte order: " +
        "not an mtdoops partition, a wrong --record-size, or an erased partition",
    );
  }
  const le = endian === "le";

  const found: LinuxDecodedRecord[] = [];
  const skipped: LinuxSkippedSlot[] = [];
  const emptySlots: number[] = [];
  let foreignSkipped = 0;

  for (let slot = 0; slot < slots; slot++) {
    const offset = slot * recordSize;
    const end = offset + recordSize;
    const seq = view.getUint32(offset, le);
    const magic = view.getUint32(offset + 4, le);

    if (seq === MTDOOPS_SEQ_UNUSED && magic === 0xffffffff) {
      let dirty = 0;
      for (let i = offset + 8; i < end; i++) if (image[i] !== 0xff) dirty++;
      if (dirty === 0) {
        emptySlots.push(slot);
      } else {
        skipped.push({
          slot,
          offset,
          why:
            `erased header but ${dirty} byte(s) after it are not 0xFF (interrupted write or erase?); ` +
            `the kernel treats this slot as empty`,
        });
      }
      continue;
    }
    if (!isMagic(magic)) {
      foreignSkipped++;
      const other = view.getUint32(offset + 4, !le);
      const hint = isMagic(other)
        ? `; it is an mtdoops magic in ${le ? "big" : "little"}-endian order`
        : "";
      skipped.push({
        slot,
        offset,
        why: `unknown magic ${hex32(magic)} (expected v1 0x5d005d00 or v2 0x5d005e00, ${endian})${hint}`,
      });
      continue;
    }
    const headerVersion: 1 | 2 = magic === MTDOOPS_MAGIC_V2 ? 2 : 1;
    if (seq === MTDOOPS_SEQ_UNUSED) {
      skipped.push({
        slot,
        offset,
        why: `seq 0xffffffff with a v${headerVersion} magic: the kernel never writes this seq and treats the slot as not a record`,
      });
      continue;
    }
    const headerSize = headerVersion === 2 ? 16 : 8;
    const rec: LinuxDecodedRecord = {
      origin: "linux-mtdoops",
      seq,
      reason: "unknown",
      time: null,
      text: slotText(image, offset + headerSize, end),
      slot,
      offset,
      headerVersion,
    };
    if (headerVersion === 2) {
      const ns = view.getBigInt64(offset + 8, le);
      rec.time = timestampToIso(ns);
      rec.timestampNs = ns.toString();
    }
    found.push(rec);
  }

  if (image.length > slots * recordSize) {
    const offset = slots * recordSize;
    skipped.push({
      slot: slots,
      offset,
      why: `partial slot: ${image.length - offset} byte(s) at the end of the image, less than --record-size ${recordSize}; not decoded`,
    });
  }

  // Record-size sanity check: look for headers at every 16-byte boundary, not just slot starts.
  let headerOffsets = 0;
  let inside = 0;
  let firstInside = -1;
  let g = 0;
  for (let off = 0; off + 8 <= image.length; off += LINUX_RECORD_SIZE_STEP) {
    if (!isMagic(view.getUint32(off + 4, le)) || view.getUint32(off, le) === MTDOOPS_SEQ_UNUSED) {
      continue;
    }
    headerOffsets++;
    g = gcd(g, off);
    if (off % recordSize !== 0) {
      inside++;
      if (firstInside < 0) firstInside = off;
    }
  }
  if (inside > 0) {
    const suggest =
      g >= LINUX_RECORD_SIZE_STEP ? `; the header offsets fit --record-size ${g}` : "";
    warnings.push(
      `${inside} mtdoops header(s) sit inside slots, not at slot starts (first at offset 0x${firstInside.toString(16)}): ` +
        `--record-size ${recordSize} looks too large and records are being missed${suggest}`,
    );
  } else if (headerOffsets > 0 && g > recordSize && foreignSkipped > 0) {
    warnings.push(
      `every mtdoops header sits at a multiple of ${g} bytes and slots between them hold other data: ` +
        `--record-size may be ${g} (with ${recordSize}, record text is cut at the slot end)`,
    );
  }

  return {
    endian,
    endianSource,
    recordSize,
    slots,
    records: orderBySequence(found),
    skipped,
    emptySlots,
    warnings,
  };
}
