// The on-flash record format. SPEC.md is the authority; this module follows it byte for byte.
// Device code: runs on the board (encode), on the host (decode) and in the virtual board.
//
// Slot layout (little-endian, offsets from the slot start):
//
//   0  u32 commit    COMMIT_VALUE once the record is complete; programmed last, alone
//   4  u32 (pad)     0xFFFFFFFF, never programmed (the commit has its own 8-byte unit)
//   8  u32 freed     0xFFFFFFFF while live; programmed to 0 when the host has saved it
//  12  u32 (pad)     0xFFFFFFFF, never programmed
//  16  u32 magic     MAGIC ("EMTD" on flash)
//  20  u32 crc       CRC-32 of bytes 24 .. 48+payloadLength
//  24  u8  version   FORMAT_VERSION
//  25  u8  hdrSize   HEADER_SIZE
//  26  u8  reason
//  27  u8  flags
//  28  u32 seq
//  32  u32 boot
//  36  u32 time      seconds since the Unix epoch, 0 = unknown
//  40  u32 uptime    milliseconds since boot, mod 2^32
//  44  u16 payloadLength  bytes stored after the header
//  46  u16 rawLength      payload bytes after decompression (= payloadLength if not compressed)
//  48  payload

import type { Crc32 } from "./crc32.js";

export const MAGIC = 0x44544d45; // bytes 45 4D 54 44: "EMTD"
export const COMMIT_VALUE = 0x21544d43; // bytes 43 4D 54 21: "CMT!"
export const FREED_VALUE = 0;
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 48;
export const OFF_COMMIT = 0;
export const OFF_FREED = 8;
export const OFF_MAGIC = 16;
export const OFF_CRC = 20;
export const OFF_CRC_START = 24;
/** Largest payload the u16 length fields can describe. */
export const MAX_PAYLOAD = 0xffff;

/**
 * Dump reasons, most severe first, as Linux's kmsg_dump_reason orders them. An enum: esbuild
 * writes a member's value where it is used, so device code keeps no object for it (an object
 * and its properties would cost JsVars on the board for as long as the firmware runs).
 */
export enum Reason {
  PANIC = 1,
  OOPS = 2,
  ERRORFLAG = 3,
  REBOOT = 4,
  SHUTDOWN = 5,
}

const REASON_NAMES = ["undef", "panic", "oops", "errorflag", "reboot", "shutdown"];

export function reasonName(code: number): string {
  return REASON_NAMES[code] || "reason" + code;
}

/** Parses a reason name or number; -1 when unknown. */
export function reasonCode(name: string): number {
  const i = REASON_NAMES.indexOf(name);
  if (i > 0) return i;
  const n = parseInt(name, 10);
  return n >= 1 && n <= 5 && String(n) === name ? n : -1;
}

/** Record flags (SPEC.md §2); an enum for the same reason as Reason. */
export enum Flags {
  /** The payload is a heatshrink stream (window 8, lookahead 6). */
  HEATSHRINK = 1,
  /** Older console output did not fit and was dropped. */
  TRUNCATED = 2,
  /** A reboot record whose reset was not a power-on or a requested restart. */
  UNEXPECTED = 4,
}

export interface RecordHeader {
  seq: number;
  boot: number;
  reason: number;
  flags: number;
  /** Seconds since the Unix epoch, 0 = unknown. */
  time: number;
  uptime: number;
  payloadLength: number;
  rawLength: number;
}

export interface StoredRecord extends RecordHeader {
  freed: boolean;
  crc: number;
  /** The payload as stored (compressed when flags has HEATSHRINK). */
  payload: Uint8Array;
}

export function getU32(b: Uint8Array, o: number): number {
  return (
    ((b[o] as number) |
      ((b[o + 1] as number) << 8) |
      ((b[o + 2] as number) << 16) |
      ((b[o + 3] as number) << 24)) >>>
    0
  );
}

export function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 255;
  b[o + 1] = (v >>> 8) & 255;
  b[o + 2] = (v >>> 16) & 255;
  b[o + 3] = (v >>> 24) & 255;
}

function getU16(b: Uint8Array, o: number): number {
  return (b[o] as number) | ((b[o + 1] as number) << 8);
}

/** Rounds `n` up to a multiple of `unit`. */
export function alignUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit;
}

/**
 * Writes a record's header into `out`, whose payload (`payloadLength` bytes) is already at
 * HEADER_SIZE: the commit, freed and pad words and the bytes after the payload, up to the
 * next multiple of `progUnit`, erased (0xFF), then the CRC. Returns the record's programmed
 * length (header and payload rounded up to `progUnit`). No per-byte loop, and nothing
 * allocated but a DataView over `out`: the board's panic path encodes into a buffer it
 * allocated at boot (docs/FOOTPRINT.md).
 */
export function encodeHeaderInto(
  out: Uint8Array,
  h: RecordHeader,
  payloadLength: number,
  progUnit: number,
  crc: Crc32,
): number {
  const end = HEADER_SIZE + payloadLength;
  const padded = Math.ceil(end / progUnit) * progUnit;
  out.fill(0xff, 0, OFF_MAGIC);
  out.fill(0xff, end, padded);
  // One DataView's native stores, not a u32 helper per field: on the board every call
  // lexes the function it enters again (docs/FOOTPRINT.md). `true`: little-endian.
  const v = new DataView(out.buffer, out.byteOffset);
  v.setUint32(OFF_MAGIC, MAGIC, true);
  out[24] = FORMAT_VERSION;
  out[25] = HEADER_SIZE;
  out[26] = h.reason;
  out[27] = h.flags;
  v.setUint32(28, h.seq, true);
  v.setUint32(32, h.boot, true);
  v.setUint32(36, h.time, true);
  v.setUint32(40, h.uptime, true);
  // payloadLength (u16 at 44) and rawLength (u16 at 46) as one little-endian word
  v.setUint32(44, payloadLength | (h.rawLength << 16), true);
  v.setUint32(OFF_CRC, crc(out.subarray(OFF_CRC_START, end)), true);
  return padded;
}

/**
 * Builds the bytes of a record from offset 0 to its end, rounded up to `progUnit`, with
 * the commit, freed and pad words left erased (0xFF): the writer programs bytes
 * OFF_MAGIC.. first and the commit word last.
 */
export function encodeRecord(
  h: RecordHeader,
  payload: Uint8Array,
  progUnit: number,
  crc: Crc32,
): Uint8Array {
  const out = new Uint8Array(Math.ceil((HEADER_SIZE + payload.length) / progUnit) * progUnit);
  out.set(payload, HEADER_SIZE);
  encodeHeaderInto(out, h, payload.length, progUnit, crc);
  return out;
}

/**
 * One program unit (at least 4 bytes) holding the u32 `value` with the rest erased: what the
 * writer programs for the commit word, a clear for the freed word, a bad block's tombstone.
 */
export function wordUnit(progUnit: number, erasedValue: number, value: number): Uint8Array {
  const z = new Uint8Array(Math.max(4, progUnit));
  z.fill(erasedValue);
  new DataView(z.buffer).setUint32(0, value, true);
  return z;
}

/**
 * True when bytes [from, to) of `b` are all `erasedValue`: their least and their greatest
 * are, two native calls where a byte loop costs the board about three times as much (0.13 L
 * for a header on the Linux build, measured). For short ranges only, a header or a program
 * unit: each byte is an argument, and Espruino's Function.apply takes at most 256
 * (src/jsutils.h, JS_MAX_FUNCTION_ARGUMENTS).
 */
export function isErased(b: Uint8Array, from: number, to: number, erasedValue: number): boolean {
  const s = b.subarray(from, to) as unknown as number[];
  return (
    s.length === 0 ||
    (Math.min.apply(null, s) === erasedValue && Math.max.apply(null, s) === erasedValue)
  );
}

/**
 * What a slot's first HEADER_SIZE bytes say, before the CRC is checked:
 * "committed" (commit word, magic, version and sizes are right), "blank" (all 48 bytes
 * erased: the rest of the slot must still be checked before it counts as erased), or
 * "dirty" (anything else: torn, foreign, corrupt).
 */
export type HeaderState = "committed" | "blank" | "dirty";

export function headerState(b: Uint8Array, recordSize: number, erasedValue: number): HeaderState {
  if (b.length < HEADER_SIZE) return "dirty";
  // A DataView's native reads, not a helper call per field: on the board every call lexes
  // the function it enters again (docs/FOOTPRINT.md). `true`: little-endian.
  const v = new DataView(b.buffer, b.byteOffset);
  if (
    v.getUint32(OFF_COMMIT, true) === COMMIT_VALUE &&
    v.getUint32(OFF_MAGIC, true) === MAGIC &&
    b[24] === FORMAT_VERSION &&
    b[25] === HEADER_SIZE &&
    HEADER_SIZE + v.getUint16(44, true) <= recordSize
  )
    return "committed";
  return isErased(b, 0, HEADER_SIZE, erasedValue) ? "blank" : "dirty";
}

/** Popcount of a 32-bit word. */
function bitCount(v: number): number {
  let n = 0;
  while (v) {
    n += v & 1;
    v >>>= 1;
  }
  return n;
}

/**
 * The freed word counts as freed when at most half its bits are set: one flipped bit can
 * neither hide a live record nor revive a freed one. A torn clear that left more than half
 * the bits set reads as live: the host retrieves the record again, which loses nothing.
 */
export function isFreedWord(v: number): boolean {
  return bitCount(v) <= 16;
}

/** The header fields of `b`, at least HEADER_SIZE bytes (headerState() said "committed"). */
export function decodeHeader(b: Uint8Array): RecordHeader {
  const v = new DataView(b.buffer, b.byteOffset);
  return {
    seq: v.getUint32(28, true),
    boot: v.getUint32(32, true),
    reason: b[26] as number,
    flags: b[27] as number,
    time: v.getUint32(36, true),
    uptime: v.getUint32(40, true),
    payloadLength: v.getUint16(44, true),
    rawLength: v.getUint16(46, true),
  };
}

/**
 * Decodes a whole record (at least HEADER_SIZE + payloadLength bytes from the slot start).
 * Returns null unless the record is committed and its CRC holds: the only way any reader
 * accepts a record.
 */
export function decodeRecord(
  b: Uint8Array,
  recordSize: number,
  erasedValue: number,
  crc: Crc32,
): StoredRecord | null {
  // headerState() says "dirty" for fewer than HEADER_SIZE bytes.
  if (headerState(b, recordSize, erasedValue) !== "committed") return null;
  const h = decodeHeader(b);
  const end = HEADER_SIZE + h.payloadLength;
  if (b.length < end) return null;
  const stored = getU32(b, OFF_CRC);
  if (crc(b.subarray(OFF_CRC_START, end)) !== stored) return null;
  return {
    seq: h.seq,
    boot: h.boot,
    reason: h.reason,
    flags: h.flags,
    time: h.time,
    uptime: h.uptime,
    payloadLength: h.payloadLength,
    rawLength: h.rawLength,
    freed: isFreedWord(getU32(b, OFF_FREED)),
    crc: stored,
    payload: b.slice(HEADER_SIZE, end),
  };
}

/**
 * Payload contents once decompressed: u16 context length, the context (a JSON object as
 * UTF-8), then the console bytes.
 */
export function buildPayload(context: Uint8Array, consoleBytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + context.length + consoleBytes.length);
  out[0] = context.length & 255;
  out[1] = context.length >> 8;
  out.set(context, 2);
  out.set(consoleBytes, 2 + context.length);
  return out;
}

/**
 * What a heatshrink stream from the board's compressor holds, once decoded: `length` bytes
 * (a record's rawLength, a REC line's length), or those and one byte of padding after
 * them, which the board adds so that Espruino's compress(), which can drop the last byte it
 * is given, never drops one of the data (firmware/env.ts; SPEC.md §2.1). The first
 * `length` bytes, or null when `decoded` is neither.
 */
export function unpadded(decoded: Uint8Array, length: number): Uint8Array | null {
  if (decoded.length === length) return decoded;
  return decoded.length === length + 1 ? decoded.subarray(0, length) : null;
}

export function splitPayload(raw: Uint8Array): { context: Uint8Array; console: Uint8Array } | null {
  if (raw.length < 2) return null;
  const n = getU16(raw, 0);
  if (2 + n > raw.length) return null;
  return { context: raw.subarray(2, 2 + n), console: raw.subarray(2 + n) };
}
