// A scheduler and clock that run on virtual time, for tests and the virtual board: jobs run
// when the test advances the clock, never on their own, so every run is repeatable.

import type { Clock, Scheduler } from "../core/scheduler.js";

interface Job {
  due: number;
  order: number;
  run: () => void;
}

export class VirtualScheduler implements Scheduler, Clock {
  /** Virtual milliseconds since boot. */
  nowMs = 0;
  /** Wall-clock time at boot (ms since the epoch), or 0 for a board that does not know it. */
  epochAtBootMs: number;
  private jobs: Job[] = [];
  private order = 0;

  constructor(epochAtBootMs = 0) {
    this.epochAtBootMs = epochAtBootMs;
  }

  defer<T>(job: (arg: T) => void, delayMs: number, arg: T): void {
    this.jobs.push({
      due: this.nowMs + Math.max(0, delayMs),
      order: this.order++,
      run: () => job(arg),
    });
  }

  now(): number {
    return this.epochAtBootMs > 0 ? this.epochAtBootMs + this.nowMs : 0;
  }

  uptime(): number {
    return this.nowMs;
  }

  get pending(): number {
    return this.jobs.length;
  }

  /** Moves time forward by `ms`, running every job that falls due, in order. */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const next = this.takeDue(end);
      if (!next) break;
      this.nowMs = Math.max(this.nowMs, next.due);
      next.run();
    }
    this.nowMs = end;
  }

  /** Runs jobs until none is left (jobs that schedule jobs included), up to `limit` jobs. */
  runAll(limit = 10_000): number {
    let n = 0;
    for (; n < limit; n++) {
      const next = this.takeDue(Infinity);
      if (!next) return n;
      this.nowMs = Math.max(this.nowMs, next.due);
      next.run();
    }
    throw new Error(
      "VirtualScheduler.runAll: more than " + limit + " jobs; a job keeps rescheduling itself",
    );
  }

  /** Drops every pending job: what a reboot does to the board's timers. */
  reset(): void {
    this.jobs = [];
  }

  private takeDue(limit: number): Job | undefined {
    let best = -1;
    for (let i = 0; i < this.jobs.length; i++) {
      const j = this.jobs[i]!;
      if (j.due > limit) continue;
      const b = best >= 0 ? this.jobs[best]! : undefined;
      if (!b || j.due < b.due || (j.due === b.due && j.order < b.order)) best = i;
    }
    if (best < 0) return undefined;
    return this.jobs.splice(best, 1)[0];
  }
}
