// Deferred work (the mtdoops workqueue): the log never blocks a caller on an erase or an
// oops write; it asks the scheduler to run the job later. setTimeout on the board, a virtual
// clock in the tests. Device code.

export interface Scheduler {
  /** Runs `job` once, after at least `delayMs`, outside the caller's stack. */
  defer(job: () => void, delayMs: number): void;
}

/** Wall clock and uptime as the platform knows them. */
export interface Clock {
  /** Milliseconds since the Unix epoch, or 0 when the board does not know the time. */
  now(): number;
  /** Milliseconds since this boot. */
  uptime(): number;
}
