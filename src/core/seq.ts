// Sequence numbers are 32-bit and wrap. They are compared with serial-number arithmetic
// (RFC 1982): `a` is newer than `b` when (a - b) mod 2^32 lies in [1, 2^31). That is a total
// order on any set of live sequence numbers, because a partition holds far fewer than 2^31
// slots. Device code.

export function seqAdd(seq: number, n: number): number {
  return (seq + n) >>> 0;
}

/** (a - b) mod 2^32. */
export function seqDiff(a: number, b: number): number {
  return (a - b) >>> 0;
}

export function seqNewer(a: number, b: number): boolean {
  const d = seqDiff(a, b);
  return d !== 0 && d < 0x80000000;
}
