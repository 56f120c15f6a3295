// The interpreter's timers (setTimeout, setInterval, changeInterval, clearTimeout, made in
// Espruino 2v29's src/jswrap_interactive.c): a list the idle loop runs from after the IO
// events (jsiIdle, src/jsinteractive.c), each due timer at most once per pass, in due order.
// Times are the board's milliseconds (ShimHost.now()). Host-only.

import type { Fn } from "./espruino-emitter.js";

export interface Timer {
  id: number;
  /** When it is next due (board ms). */
  due: number;
  /** The interval (setInterval), or 0 (setTimeout). */
  period: number;
  /** A function, or code to run in the global scope. */
  fn: Fn | string;
  args: unknown[];
}

export class Timers {
  private list: Timer[] = [];
  /** Ids keep counting across soft resets, as a new context empties the list only. */
  private lastId = 0;

  /** setTimeout / setInterval: the new timer's id. */
  add(fn: unknown, ms: unknown, args: unknown[], repeat: boolean, now: number): number {
    const d = Math.max(0, Number(ms) || 0);
    const t: Timer = {
      id: ++this.lastId,
      due: now + d,
      period: repeat ? Math.max(d, 0.1) : 0,
      fn: fn as Fn | string,
      args,
    };
    this.list.push(t);
    return t.id;
  }

  /** clearTimeout / clearInterval: the timer `id`, or every timer when no id is given. */
  clear(id?: unknown): void {
    if (id === undefined) this.list = [];
    else this.list = this.list.filter((t) => t.id !== id);
  }

  /** changeInterval: a new period, counted from now. */
  change(id: unknown, ms: unknown, now: number): void {
    const t = this.list.find((x) => x.id === id);
    if (t) {
      t.period = Math.max(0.1, Number(ms) || 0);
      t.due = now + t.period;
    }
  }

  hasDue(now: number): boolean {
    return this.list.some((t) => t.due <= now);
  }

  /** Time (board ms) the next timer is due, or undefined. */
  next(): number | undefined {
    let best: number | undefined;
    for (const t of this.list) if (best === undefined || t.due < best) best = t.due;
    return best;
  }

  /** The timers due at `now`, earliest first (ties in the order they were made). */
  due(now: number): Timer[] {
    return this.list.filter((t) => t.due <= now).sort((a, b) => a.due - b.due || a.id - b.id);
  }

  /**
   * Before a due timer runs: an interval is moved on, a timeout removed. False when an
   * earlier callback of the same pass has cleared it (then it does not run).
   */
  fire(t: Timer, now: number): boolean {
    if (!this.list.includes(t)) return false;
    if (t.period > 0) t.due = Math.max(t.due + t.period, now);
    else this.list = this.list.filter((x) => x !== t);
    return true;
  }
}
