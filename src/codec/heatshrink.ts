/**
 * Heatshrink (LZSS) compression, byte-compatible with Espruino's `require("heatshrink")`.
 *
 * Bitstream (heatshrink 0.4.1 as vendored in Espruino's libs/compression/heatshrink/):
 *   - no header, no length prefix, no checksum: just tokens, most significant bit first;
 *   - literal:  tag bit 1, then the byte (8 bits);
 *   - backref:  tag bit 0, then (distance - 1) in `windowBits` bits, then (length - 1) in
 *     `lookaheadBits` bits. Distance is counted back from the current output position and
 *     may reach before the start of the data: the window starts out as zeros, so such a
 *     reference yields 0x00 bytes (the encoder really emits these, e.g. for leading zeros);
 *   - the last byte is padded with 0 bits (fewer than 8; no token fits in them).
 * Espruino builds it with window 8 bits, lookahead 6 bits (heatshrink_config.h).
 *
 * The encoder is greedy: at each position it takes the longest match within the previous
 * 2^windowBits bytes, capped at 2^lookaheadBits and at the bytes left; on equal lengths the
 * nearest match wins; matches shorter than floor((1 + windowBits + lookaheadBits) / 8) + 1
 * bytes (2 for 8/6) are sent as literals. That is what heatshrink_encoder.c's
 * find_longest_match() does (scan from the nearest position back, replace only on a
 * strictly longer match, stop at the maximum length).
 *
 * Espruino quirk, reproduced by default: Espruino's driver (compress_heatshrink.c,
 * heatshrink_encode_cb) polls the encoder into a 128-byte buffer. When the final token is a
 * literal whose bits complete the 128th byte of that poll call and some bits are still
 * pending, heatshrink_encoder_poll() reaches HSES_FLUSH_BITS with a full output buffer,
 * returns HSER_POLL_EMPTY without writing the partial byte, and the driver stops. The
 * device's output then lacks its last byte, and the device's own decompress() loses the
 * last input byte. `heatshrinkCompressInfo()` reports when this happens.
 */

/** Espruino's heatshrink window size, in bits (libs/compression/heatshrink/heatshrink_config.h). */
export const ESPRUINO_HEATSHRINK_WINDOW_BITS = 8;
/** Espruino's heatshrink lookahead size, in bits (libs/compression/heatshrink/heatshrink_config.h). */
export const ESPRUINO_HEATSHRINK_LOOKAHEAD_BITS = 6;
/** Default cap on decompressed size. */
export const HEATSHRINK_DEFAULT_MAX_OUTPUT = 1 << 20;

/** BUFFERSIZE in Espruino's compress_heatshrink.c: input chunk and poll output buffer size. */
const ESPRUINO_DRIVER_BUFFER_SIZE = 128;

export interface HeatshrinkParams {
  /** log2 of the window size, 4..15. Default 8 (Espruino). */
  windowBits?: number;
  /** log2 of the longest match, 3..windowBits-1. Default 6 (Espruino). */
  lookaheadBits?: number;
}

export interface HeatshrinkCompressOptions extends HeatshrinkParams {
  /**
   * Reproduce Espruino's compress() byte for byte, including the lost final byte described
   * above (default true). With false the final partial byte is always written, as a
   * correct heatshrink driver does.
   */
  espruinoQuirks?: boolean;
}

export interface HeatshrinkDecompressOptions extends HeatshrinkParams {
  /** Throw a HeatshrinkError("OUTPUT_LIMIT") rather than produce more bytes. Default 1 MiB. */
  maxOutput?: number;
  /**
   * When true (default), trailing bits that cannot be encoder padding (8 or more bits left
   * over, or any 1 bit among them) throw a HeatshrinkError("TRUNCATED"). When false they
   * are ignored, as Espruino's decompress() does.
   */
  strict?: boolean;
}

export type HeatshrinkErrorCode = "TRUNCATED" | "OUTPUT_LIMIT";

/** Malformed or oversized compressed data. `partial` holds what was decoded before the problem. */
export class HeatshrinkError extends Error {
  readonly code: HeatshrinkErrorCode;
  readonly partial: Uint8Array;

  constructor(code: HeatshrinkErrorCode, message: string, partial: Uint8Array) {
    super(message);
    this.name = "HeatshrinkError";
    this.code = code;
    this.partial = partial;
  }
}

export interface HeatshrinkCompressResult {
  /** The compressed bytes, as chosen by `espruinoQuirks`. */
  bytes: Uint8Array;
  /**
   * True when Espruino's compress() drops the final partial byte for this input (so the
   * device's own decompress() would return one byte too few). Independent of `espruinoQuirks`.
   */
  espruinoDropsFinalByte: boolean;
}

function resolveParams(opts: HeatshrinkParams | undefined): { w: number; l: number } {
  const w = opts?.windowBits ?? ESPRUINO_HEATSHRINK_WINDOW_BITS;
  const l = opts?.lookaheadBits ?? ESPRUINO_HEATSHRINK_LOOKAHEAD_BITS;
  if (!Number.isInteger(w) || w < 4 || w > 15) {
    throw new RangeError(`heatshrink: windowBits must be an integer 4..15, got ${w}`);
  }
  if (!Number.isInteger(l) || l < 3 || l >= w) {
    throw new RangeError(`heatshrink: lookaheadBits must be an integer 3..${w - 1}, got ${l}`);
  }
  return { w, l };
}

/** Compress like Espruino's `require("heatshrink").compress(data)`. */
export function heatshrinkCompress(data: Uint8Array, opts?: HeatshrinkCompressOptions): Uint8Array {
  return heatshrinkCompressInfo(data, opts).bytes;
}

/** As heatshrinkCompress, also telling whether Espruino would drop the final byte. */
export function heatshrinkCompressInfo(
  data: Uint8Array,
  opts?: HeatshrinkCompressOptions,
): HeatshrinkCompressResult {
  const { w, l } = resolveParams(opts);
  const quirks = opts?.espruinoQuirks ?? true;
  const n = data.length;
  const windowSize = 1 << w;
  const lookaheadSize = 1 << l;
  // find_longest_match: a match is used only if longer than break_even_point / 8 bytes.
  const minMatch = Math.floor((1 + w + l) / 8) + 1;

  // Data preceded by windowSize zero bytes: the encoder's backlog starts zeroed.
  const buf = new Uint8Array(windowSize + n);
  buf.set(data, windowSize);

  // A backref costs fewer bits than the literals it replaces, so 9 bits/byte is the worst.
  const out = new Uint8Array(Math.ceil((n * 9) / 8) + 1);
  let outLen = 0;
  let currentByte = 0;
  let bitIndex = 0x80;
  // Bytes written during the current heatshrink_encoder_poll() call of Espruino's driver.
  let pollCount = 0;

  const pushBits = (count: number, bits: number): void => {
    for (let i = count - 1; i >= 0; i--) {
      if ((bits >> i) & 1) currentByte |= bitIndex;
      bitIndex >>= 1;
      if (bitIndex === 0) {
        out[outLen++] = currentByte;
        pollCount++;
        currentByte = 0;
        bitIndex = 0x80;
      }
    }
  };
  // can_take_byte() failing makes poll return HSER_POLL_MORE; the driver polls again with an
  // empty buffer.
  const roomCheck = (): void => {
    if (pollCount === ESPRUINO_DRIVER_BUFFER_SIZE) pollCount = 0;
  };
  // push_outgoing_bits(): at most 8 bits per step, each step (and the final empty one)
  // preceded by a room check.
  const pushField = (count: number, value: number): void => {
    let remaining = count;
    for (;;) {
      roomCheck();
      if (remaining === 0) return;
      const step = remaining > 8 ? 8 : remaining;
      pushBits(step, (value >> (remaining - step)) & 0xff);
      remaining -= step;
    }
  };

  // The encoder fills a windowSize-byte input buffer, scans it while the scan index is at
  // most windowSize - lookaheadSize, then shifts it into the backlog. Only the last fill is
  // scanned to the end ("finishing"). Espruino's driver reads input in 128-byte chunks and
  // only learns of the end on a short read, so a last fill of exactly windowSize bytes is
  // scanned as finishing only when the length is not a multiple of 128. Block boundaries do
  // not change the tokens, only where poll calls start (which matters for the quirk).
  const isFinalBlock = (start: number): boolean => {
    const rest = n - start;
    return rest < windowSize || (rest === windowSize && n % ESPRUINO_DRIVER_BUFFER_SIZE !== 0);
  };

  let pos = 0;
  let blockStart = 0;
  let finalBlock = isFinalBlock(0);
  for (;;) {
    if (!finalBlock && pos - blockStart > windowSize - lookaheadSize) {
      // save_backlog; the driver sinks more input and polls anew.
      blockStart = pos;
      finalBlock = isFinalBlock(pos);
      pollCount = 0;
      continue;
    }
    if (pos >= n) break;

    const maxLen = Math.min(lookaheadSize, n - pos);
    const end = pos + windowSize; // index of the current byte in buf
    let bestLen = 0;
    let bestPos = -1;
    for (let cand = end - 1; cand >= end - windowSize; cand--) {
      if (buf[cand + bestLen] !== buf[end + bestLen] || buf[cand] !== buf[end]) continue;
      let len = 1;
      while (len < maxLen && buf[cand + len] === buf[end + len]) len++;
      if (len > bestLen) {
        bestLen = len;
        bestPos = cand;
        if (len === maxLen) break;
      }
    }

    roomCheck();
    if (bestLen >= minMatch) {
      pushBits(1, 0);
      pushField(w, end - bestPos - 1);
      pushField(l, bestLen - 1);
      pos += bestLen;
    } else {
      pushBits(1, 1);
      roomCheck();
      pushBits(8, buf[end]!);
      pos += 1;
    }
  }

  // st_flush_bit_buffer
  let espruinoDropsFinalByte = false;
  if (bitIndex !== 0x80) {
    espruinoDropsFinalByte = pollCount === ESPRUINO_DRIVER_BUFFER_SIZE;
    if (!(quirks && espruinoDropsFinalByte)) out[outLen++] = currentByte;
  }
  return { bytes: out.slice(0, outLen), espruinoDropsFinalByte };
}

/**
 * Decompress heatshrink data (Espruino's `require("heatshrink").decompress(data)`).
 * Never reads past the input nor writes past `maxOutput`; runs in time linear in the output.
 */
export function heatshrinkDecompress(
  data: Uint8Array,
  opts?: HeatshrinkDecompressOptions,
): Uint8Array {
  const { w, l } = resolveParams(opts);
  const maxOutput = opts?.maxOutput ?? HEATSHRINK_DEFAULT_MAX_OUTPUT;
  if (!Number.isSafeInteger(maxOutput) || maxOutput < 0) {
    throw new RangeError(`heatshrink: maxOutput must be a non-negative integer, got ${maxOutput}`);
  }
  const strict = opts?.strict ?? true;

  const totalBits = data.length * 8;
  let bitPos = 0;
  const readBits = (count: number): number => {
    let v = 0;
    for (let i = 0; i < count; i++) {
      const byte = data[bitPos >> 3]!;
      v = (v << 1) | ((byte >> (7 - (bitPos & 7))) & 1);
      bitPos++;
    }
    return v;
  };

  let out = new Uint8Array(Math.min(maxOutput, Math.max(64, data.length * 4)));
  let outLen = 0;
  const reserve = (count: number): void => {
    const need = outLen + count;
    if (need > maxOutput) {
      throw new HeatshrinkError(
        "OUTPUT_LIMIT",
        `heatshrink: decompressed data exceeds maxOutput (${maxOutput} bytes)`,
        out.slice(0, outLen),
      );
    }
    if (need > out.length) {
      const grown = new Uint8Array(Math.min(maxOutput, Math.max(need, out.length * 2)));
      grown.set(out.subarray(0, outLen));
      out = grown;
    }
  };

  const backrefBits = w + l;
  let tokenStart: number;
  for (;;) {
    tokenStart = bitPos;
    const left = totalBits - bitPos;
    if (left < 1) break;
    if (readBits(1) === 1) {
      if (left < 9) break;
      reserve(1);
      out[outLen++] = readBits(8);
    } else {
      if (left < 1 + backrefBits) break;
      const distance = readBits(w) + 1;
      const count = readBits(l) + 1;
      reserve(count);
      for (let i = 0; i < count; i++) {
        const from = outLen - distance;
        out[outLen++] = from >= 0 ? out[from]! : 0; // the window starts out zeroed
      }
    }
  }

  if (strict) {
    const leftover = totalBits - tokenStart;
    let nonZero = false;
    for (let p = tokenStart; p < totalBits; p++) {
      if ((data[p >> 3]! >> (7 - (p & 7))) & 1) nonZero = true;
    }
    if (leftover >= 8 || nonZero) {
      throw new HeatshrinkError(
        "TRUNCATED",
        `heatshrink: input ends inside a token (${leftover} trailing bits` +
          `${nonZero ? ", not all zero" : ""}); data is truncated or not heatshrink`,
        out.slice(0, outLen),
      );
    }
  }
  return out.slice(0, outLen);
}
