// Espruino-style event emitters for the shim's objects (E, process, NRF, the serial
// devices): obj.on(event, fn), handlers called as Espruino calls callbacks. Host-only.

/** A function of the board's JavaScript, as the shim holds it. */
export type Fn = (...args: unknown[]) => unknown;

/** Calls a board function as Espruino calls a callback (EspruinoShim.call). */
export interface CallbackRunner {
  call(fn: unknown, self: unknown, args: unknown[]): unknown;
}

/** An Espruino-style event emitter: obj.on(event, fn), handlers called by the shim. */
export class Emitter {
  listeners = new Map<string, Fn[]>();
  constructor(private readonly runner: CallbackRunner) {}
  /** The object the vm sees (api()), which shows the listeners as Espruino does. */
  private view: Record<string, unknown> | undefined;
  on(event: string, fn: Fn): void {
    const l = this.listeners.get(event) ?? [];
    l.push(fn);
    this.listeners.set(event, l);
    this.show(event);
  }
  /**
   * Espruino keeps an object's listeners in its property "#on" + event, an array
   * (src/jswrap_object.c): code on the board can count them there.
   */
  private show(event: string): void {
    if (!this.view) return;
    const l = this.listeners.get(event);
    if (l && l.length) this.view["#on" + event] = l.slice();
    else delete this.view["#on" + event];
  }
  removeListener(event: string, fn: Fn): void {
    const l = this.listeners.get(event);
    if (l)
      this.listeners.set(
        event,
        l.filter((f) => f !== fn),
      );
    this.show(event);
  }
  removeAllListeners(event?: string): void {
    const events = event === undefined ? [...this.listeners.keys()] : [event];
    for (const ev of events) {
      this.listeners.delete(ev);
      this.show(ev);
    }
  }
  /** Calls the handlers, each through the shim (exceptions reported as uncaught). */
  emit(event: string, ...args: unknown[]): boolean {
    const l = (this.listeners.get(event) ?? []).slice();
    for (const f of l) this.runner.call(f, this, args);
    return l.length > 0;
  }
  /** The object the vm sees. */
  api(extra: Record<string, unknown> = {}): Record<string, unknown> {
    this.view = Object.assign(
      {
        on: (e: string, f: Fn) => this.on(e, f),
        addListener: (e: string, f: Fn) => this.on(e, f),
        removeListener: (e: string, f: Fn) => this.removeListener(e, f),
        removeAllListeners: (e?: string) => this.removeAllListeners(e),
        emit: (e: string, ...a: unknown[]) => this.emit(e, ...a),
      },
      extra,
    );
    return this.view;
  }
}
