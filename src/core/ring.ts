// The console ring: the newest console bytes, kept in RAM (Linux's kmsg buffer). A record
// stores the newest bytes that fit. Device code.
//
// The ring is a plain object (Ring) and its operations are module functions: on the board
// the resident firmware holds the ring and calls ringWrite() (the capture) and
// ringTailInto() (a dump, into its record buffer); ringTail() is for host code. A class
// would keep its methods in RAM for as long as the object lives (docs/FIRMWARE.md).
// ConsoleRing wraps them for host code.

export interface Ring {
  readonly _buf: Uint8Array;
  /** Next write position. */
  _head: number;
  /** Bytes held (at most the capacity). */
  length: number;
  /** Bytes written since creation, including those overwritten: more than `length` when some were dropped. */
  written: number;
}

/**
 * Appends bytes. Bytes only: the board converts its text natively (E.toArrayBuffer), and
 * where Storage is not memory-mapped a call lexes the whole function from flash, a string
 * branch included, at every console line (docs/FOOTPRINT.md).
 */
export function ringWrite(r: Ring, data: Uint8Array): void {
  let src = data;
  const buf = r._buf;
  const cap = buf.length;
  r.written += src.length;
  if (src.length > cap) src = src.subarray(src.length - cap);
  const first = Math.min(src.length, cap - r._head);
  buf.set(src.subarray(0, first), r._head);
  buf.set(src.subarray(first), 0);
  r._head = (r._head + src.length) % cap;
  r.length = Math.min(cap, r.length + src.length);
}

/**
 * Copies the newest `n` bytes (n <= r.length) into `out` at `at`, oldest first, with two
 * native copies: the board's dump path fills its record buffer this way, allocating nothing.
 */
export function ringTailInto(r: Ring, out: Uint8Array, at: number, n: number): void {
  const buf = r._buf;
  const cap = buf.length;
  const start = (r._head - n + cap) % cap;
  const first = Math.min(n, cap - start);
  out.set(buf.subarray(start, start + first), at);
  out.set(buf.subarray(0, n - first), at + first);
}

/** The newest `n` bytes (fewer when the ring holds fewer), oldest first. */
export function ringTail(r: Ring, n: number): Uint8Array {
  const out = new Uint8Array(Math.min(n, r.length));
  ringTailInto(r, out, 0, out.length);
  return out;
}

/** A Ring with its operations as methods, for host code. */
export class ConsoleRing implements Ring {
  readonly _buf: Uint8Array;
  _head = 0;
  length = 0;
  written = 0;

  constructor(capacity: number) {
    if (!(capacity >= 16 && Math.floor(capacity) === capacity))
      throw new Error("ring size must be a whole number of bytes >= 16, got " + capacity);
    this._buf = new Uint8Array(capacity);
  }

  /** Appends bytes, or an 8-bit string (Espruino strings are bytes; code units above 255 are cut). */
  write(data: Uint8Array | string): void {
    if (typeof data === "string") {
      const bytes = new Uint8Array(data.length);
      for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 255;
      data = bytes;
    }
    ringWrite(this, data);
  }

  tail(n: number): Uint8Array {
    return ringTail(this, n);
  }
}
