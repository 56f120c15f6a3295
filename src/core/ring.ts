// The console ring: the newest console bytes, kept in RAM (Linux's kmsg buffer). A record
// stores the newest bytes that fit. Device code.

declare const MTDOOPS_DEVICE: boolean | undefined;

export class ConsoleRing {
  private readonly _buf: Uint8Array;
  private _head = 0; // next write position
  private _used = 0;
  /** Bytes written since creation, including those overwritten. */
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

  get capacity(): number {
    return this._buf.length;
  }

  get length(): number {
    return this._used;
  }

  /** True when bytes were dropped to make room. */
  get overflowed(): boolean {
    return this.written > this._used;
  }

  write(data: Uint8Array): void {
    const cap = this._buf.length;
    let src = data;
    this.written += data.length;
    if (src.length > cap) src = src.subarray(src.length - cap);
    const first = Math.min(src.length, cap - this._head);
    this._buf.set(src.subarray(0, first), this._head);
    this._buf.set(src.subarray(first), 0);
    this._head = (this._head + src.length) % cap;
    this._used = Math.min(cap, this._used + src.length);
  }

  /** Writes an 8-bit string (Espruino strings are bytes; code units above 255 are cut). */
  writeString(s: string): void {
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
    this.write(b);
  }

  /** The newest `n` bytes (fewer when the ring holds fewer), oldest first. */
  tail(n: number): Uint8Array {
    const cap = this._buf.length;
    const len = Math.min(n, this._used);
    const out = new Uint8Array(len);
    const start = (this._head - len + cap) % cap;
    const first = Math.min(len, cap - start);
    out.set(this._buf.subarray(start, start + first), 0);
    out.set(this._buf.subarray(0, len - first), first);
    return out;
  }

  clear(): void {
    this._head = 0;
    this._used = 0;
    this.written = 0;
  }
}
