// A clock for the retrieval's limits that moves only when the test says so: seconds of
// device behaviour (a byte every 3 s, a BEGIN limit of 5 s) run in milliseconds.

import type { RetrieveClock } from "../../src/host/retrieve.js";

interface Timer {
  at: number;
  order: number;
  fn: () => void;
}

export class ManualClock implements RetrieveClock {
  private t = 0;
  private order = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer: Timer = { at: this.t + Math.max(0, ms), order: this.order++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Moves time forward by `ms`, running each timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: Timer | null = null;
      for (const x of this.timers)
        if (x.at <= end && (!next || x.at < next.at || (x.at === next.at && x.order < next.order)))
          next = x;
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }
}

/**
 * Runs `p` while moving the clock `stepMs` at a time (letting promises settle between
 * steps), until it settles or `maxMs` of clock time pass. Resolves with its outcome and the
 * clock time it took.
 */
export async function runOnClock<T>(
  clock: ManualClock,
  p: Promise<T>,
  maxMs: number,
  stepMs = 10,
): Promise<{ value?: T; error?: unknown; settled: boolean; ms: number }> {
  let settled = false;
  let value: T | undefined;
  let error: unknown;
  const start = clock.now();
  p.then(
    (v) => {
      settled = true;
      value = v;
    },
    (e: unknown) => {
      settled = true;
      error = e;
    },
  );
  while (!settled && clock.now() - start < maxMs) {
    for (let i = 0; i < 3 && !settled; i++) await new Promise((r) => setImmediate(r));
    if (!settled) clock.advance(stepMs);
  }
  for (let i = 0; i < 5 && !settled; i++) await new Promise((r) => setImmediate(r));
  const out: { value?: T; error?: unknown; settled: boolean; ms: number } = {
    settled,
    ms: clock.now() - start,
  };
  if (value !== undefined) out.value = value;
  if (error !== undefined) out.error = error;
  return out;
}
