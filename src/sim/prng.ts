// A small seeded pseudo-random number generator for the flash simulator's faults.
//
// Host-only (tests and the power-loss sweep). The algorithm is mulberry32 (Tommy Ettinger,
// public domain): 32 bits of state, period 2^32, fast in JavaScript and good enough to
// pick which bits a torn program lands. It is not cryptographic.
//
// The whole state is one unsigned 32-bit number (`state`), so a simulator can be cloned
// or a failing scenario replayed exactly: same seed, same calls, same numbers.

export class Prng {
  private s: number;

  /** `seed` is any number; only its low 32 bits are used (non-integers are truncated). */
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The internal state; assigning it back restores the sequence from that point. */
  get state(): number {
    return this.s;
  }

  set state(value: number) {
    this.s = value >>> 0;
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n); `n` must be a positive integer of at most 2^32. */
  int(n: number): number {
    if (!(n > 0 && n <= 4294967296 && Math.floor(n) === n)) {
      throw new RangeError("Prng.int: n must be an integer in 1..2^32, got " + n);
    }
    return Math.floor(this.next() * n);
  }

  /** `n` random bytes in a new array. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.fill(out);
    return out;
  }

  /** Fills `out` (or `out[start, end)`) with random bytes; four bytes per draw. */
  fill(out: Uint8Array, start = 0, end = out.length): void {
    let i = start;
    while (i + 4 <= end) {
      const r = this.nextUint32();
      out[i] = r & 0xff;
      out[i + 1] = (r >>> 8) & 0xff;
      out[i + 2] = (r >>> 16) & 0xff;
      out[i + 3] = r >>> 24;
      i += 4;
    }
    if (i < end) {
      let r = this.nextUint32();
      while (i < end) {
        out[i++] = r & 0xff;
        r >>>= 8;
      }
    }
  }

  /** An independent generator with the same state. */
  clone(): Prng {
    const copy = new Prng(0);
    copy.s = this.s;
    return copy;
  }
}
