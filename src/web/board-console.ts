// Asking an Espruino console a question over any Transport: one line of JavaScript, sent
// after DLE (0x10, not echoed: Espruino's jsiHandleChar), whose value is printed after a
// marker. The marker is split in the command ("MTDOOPS_"+"ASK3 ") so that an echo of the
// command never matches it. An "Uncaught ..." before the answer is the command's error.

import { TransportError } from "../host/transport.js";
import type { Transport } from "../host/transport.js";

export class ConsoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConsoleError";
  }
}

let counter = 0;

export class BoardConsole {
  private readonly t: Transport;
  private text = "";
  private closed_: Error | null = null;
  private readonly unsubscribe: Array<() => void>;

  constructor(t: Transport) {
    this.t = t;
    this.unsubscribe = [
      t.onData((s) => {
        this.text = (this.text + s).slice(-65536);
      }),
      t.onClose((e) => {
        this.closed_ = e ?? new TransportError("EIO", `${t.name}: the connection closed`);
      }),
    ];
  }

  get name(): string {
    return this.t.name;
  }

  /** True once the link is gone. */
  get closed(): boolean {
    return this.closed_ !== null;
  }

  /** Closes the link (the board console object is done). */
  async close(): Promise<void> {
    try {
      await this.t.close();
    } catch {
      // already gone
    }
  }

  /** Ends the line a previous user may have left half-typed, and waits for the console to settle. */
  async nudge(ms = 200): Promise<void> {
    await this.send("\n");
    await sleep(ms);
  }

  async send(text: string): Promise<void> {
    if (this.closed_) throw this.closed_;
    await this.t.write(text);
  }

  /** Evaluates `expr` on the board and resolves with what it prints (a string). */
  async ask(expr: string, timeoutMs = 5000): Promise<string> {
    const id = "ASK" + ++counter + " ";
    this.text = "";
    await this.send('\x10print("MTDOOPS_"+"' + id + '"+(' + expr + "))\n");
    const marker = "MTDOOPS_" + id;
    const until = Date.now() + timeoutMs;
    for (;;) {
      const at = this.text.indexOf(marker);
      if (at >= 0) {
        const end = this.text.indexOf("\n", at);
        if (end >= 0) return this.text.slice(at + marker.length, end).replace(/\r$/, "");
      }
      const err = /Uncaught [^\r\n]*/.exec(this.text);
      if (err) throw new ConsoleError(err[0]);
      if (this.closed_) throw this.closed_;
      if (Date.now() > until)
        throw new ConsoleError(`${this.t.name} did not answer within ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  /** Sends a line and waits until nothing has arrived for `quietMs` (at most `maxMs`). */
  async runQuiet(line: string, quietMs = 400, maxMs = 5000): Promise<string> {
    this.text = "";
    await this.send("\x10" + line + "\n");
    const end = Date.now() + maxMs;
    let last = this.text.length;
    let since = Date.now();
    while (Date.now() < end) {
      await sleep(50);
      if (this.closed_) throw this.closed_;
      if (this.text.length !== last) {
        last = this.text.length;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) break;
    }
    return this.text;
  }

  /** The logger's version, or null when the board does not run it. */
  async loggerVersion(timeoutMs = 4000): Promise<string | null> {
    const v = await this.ask('typeof mtdoops=="object"&&mtdoops?mtdoops.version:"none"', timeoutMs);
    return v === "none" ? null : v;
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
