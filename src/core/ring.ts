// The console ring: the newest console bytes, kept in RAM (Linux's kmsg buffer). A record
// stores the newest bytes that fit. Device code.
//
// A class with two methods on purpose: on the board every function costs JsVars for as long
// as the firmware runs (docs/FOOTPRINT.md), so what only host code needs (clearRing) is a
// module function, which the firmware bundle leaves out.

declare const MTDOOPS_DEVICE: boolean | undefined;

export class ConsoleRing {
  readonly _buf: Uint8Array;
  /** Next write position. */
  _head = 0;
  /** Bytes held (at most the capacity). */
  length = 0;
  /** Bytes written since creation, including those overwritten: more than `length` when some were dropped. */
  written = 0;

  constructor(capacity: number) {
    // The firmware build checked the board's ringSize (MTDOOPS_DEVICE): no check on the board.
    if (
      !(typeof MTDOOPS_DEVICE !== "undefined" && MTDOOPS_DEVICE) &&
      !(capacity >= 16 && Math.floor(capacity) === capacity)
    )
      throw new Error("ring size must be a whole number of bytes >= 16, got " + capacity);
    this._buf = new Uint8Array(capacity);
  }

  /** Appends bytes, or an 8-bit string (Espruino strings are bytes; code units above 255 are cut). */
  write(data: Uint8Array | string): void {
    let src: Uint8Array;
    if (typeof data === "string") {
      src = new Uint8Array(data.length);
      for (let i = 0; i < data.length; i++) src[i] = data.charCodeAt(i) & 255;
    } else src = data;
    const buf = this._buf;
    const cap = buf.length;
    this.written += src.length;
    if (src.length > cap) src = src.subarray(src.length - cap);
    const first = Math.min(src.length, cap - this._head);
    buf.set(src.subarray(0, first), this._head);
    buf.set(src.subarray(first), 0);
    this._head = (this._head + src.length) % cap;
    this.length = Math.min(cap, this.length + src.length);
  }

  /** The newest `n` bytes (fewer when the ring holds fewer), oldest first. */
  tail(n: number): Uint8Array {
    const buf = this._buf;
    const cap = buf.length;
    const len = Math.min(n, this.length);
    const out = new Uint8Array(len);
    const start = (this._head - len + cap) % cap;
    const first = Math.min(len, cap - start);
    out.set(buf.subarray(start, start + first), 0);
    out.set(buf.subarray(0, len - first), first);
    return out;
  }
}

/** Empties a ring (host code: a simulated reboot keeps the object the log holds). */
export function clearRing(r: ConsoleRing): void {
  r._head = 0;
  r.length = 0;
  r.written = 0;
}
