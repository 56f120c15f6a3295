// Oldest-to-newest order of records by their 32-bit sequence numbers, for both formats the
// host decodes (ours, src/host/decode-image.ts, and Linux mtdoops, src/host/linux-mtdoops.ts).
// Host-only; the device compares seqs with src/core/seq.ts.

/**
 * Oldest-to-newest order on 32-bit sequence numbers that wrap. The oldest record is the one
 * after the largest circular gap between distinct seqs; records are then sorted by their
 * distance from it. When all seqs lie within 2^31 of each other this is exactly
 * serial-number order (a newer than b iff ((a - b) >>> 0) is in (0, 2^31)); otherwise it is
 * still a deterministic total order. The sort is stable, so equal seqs keep slot order.
 */
export function orderBySequence<T extends { seq: number }>(records: readonly T[]): T[] {
  const distinct = [...new Set(records.map((r) => r.seq >>> 0))].sort((a, b) => a - b);
  const n = distinct.length;
  if (n < 2) return records.slice();
  let anchor = distinct[0] ?? 0;
  let bestGap = -1;
  for (let i = 0; i < n; i++) {
    const cur = distinct[i] ?? 0;
    const prev = distinct[(i + n - 1) % n] ?? 0;
    const gap = (cur - prev) >>> 0;
    if (gap > bestGap) {
      bestGap = gap;
      anchor = cur;
    }
  }
  return records
    .map((r) => ({ r, key: ((r.seq >>> 0) - anchor) >>> 0 }))
    .sort((a, b) => a.key - b.key)
    .map((e) => e.r);
}
