// Deferred work (the mtdoops workqueue): the log never blocks a caller on an erase or an
// oops write; it asks the scheduler to run the job later. setTimeout on the board, a virtual
// clock in the tests. Device code.

export interface Scheduler {
  /**
   * Runs `job(arg)` once, after at least `delayMs`, outside the caller's stack. The argument
   * is passed through (as setTimeout's third argument does on the board) so that the log
   * needs no closure of its own for the job: on the board every function costs RAM.
   */
  defer<T>(job: (arg: T) => void, delayMs: number, arg: T): void;
}

/** Wall clock and uptime as the platform knows them. */
export interface Clock {
  /**
   * Milliseconds since the Unix epoch. A board that was never told the time counts from
   * power-on: the log takes anything before 2020 (NO_WALL_CLOCK_BEFORE) as "time unknown".
   */
  now(): number;
  /** Milliseconds since this boot. */
  uptime(): number;
}

/** 2020-01-01T00:00:00Z in ms: a clock that reads earlier was never set. */
export const NO_WALL_CLOCK_BEFORE = 1577836800000;
