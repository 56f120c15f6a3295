// One Espruino Linux interpreter process, driven over its stdin/stdout as a user's terminal
// would be: the interpreter tier (test/espruino/*.test.ts) and the device benchmark
// (test/bench/device.ts) share it. Facts about driving the Linux builds: REPL mode (no file
// argument) runs Storage .boot0 at start; stdin must stay open (at end of input the
// interpreter spins); SIGTERM is ignored in REPL mode, so it is ended with SIGKILL; a line
// that starts with DLE (0x10) is not echoed (src/jsinteractive.c).

import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import type { Transport } from "../../src/host/transport.js";

/** The interpreters the tier runs on: the stock Linux build, and one with a Puck.js-sized 2630-JsVar pool. */
export interface Interpreters {
  stock: string | undefined;
  small: string | undefined;
}

/**
 * ESPRUINO_BIN and ESPRUINO_SMALL_BIN, when set. A variable that names a missing file is an
 * error, not a skip.
 */
export function interpreters(): Interpreters {
  const pick = (name: string): string | undefined => {
    const v = process.env[name];
    if (!v) return undefined;
    if (!existsSync(v)) throw new Error(name + "=" + v + " does not exist");
    return v;
  };
  return { stock: pick("ESPRUINO_BIN"), small: pick("ESPRUINO_SMALL_BIN") };
}

/**
 * What the Linux build prints when its input thread and its main loop touch the IO event
 * buffer at once: targets/linux/jshardware.c reads stdin on a thread of its own and
 * appends to the newest event (src/jsdevices.c jshPushIOCharEvents) while the main loop
 * may be taking that event, and the corrupted length stops the interpreter. Boards push
 * from an interrupt the main loop cannot race with; it is the Linux target's, not ours.
 */
export const INPUT_RACE = "ASSERT(len <= 64) FAILED";

/**
 * The same race's other outcome. The input thread appends a byte to an event the main loop
 * has just taken (jshPushIOCharEvents checks `ioLastHead != ioTail`, then adds to that
 * event's length), so the byte is left where the next event's length should be. A byte
 * above 64 stops the interpreter on the assertion above; a lower one (a digit, a space, a
 * bracket) moves the tail past the head, and the main loop then runs the buffer's stale
 * bytes, earlier lines of ours among them, over and over. Seen in a CI run as the answers
 * of queries already answered coming again, and no answer to the one asked.
 */
export const INPUT_REPLAY = "the interpreter ran input typed earlier again";

/** An interpreter step that failed on the Linux build's input race (either outcome). */
export class InputRaceError extends Error {}

/** True when `x` is the input race: an InputRaceError, or a message that quotes the assertion. */
export function isInputRace(x: unknown): boolean {
  return x instanceof InputRaceError || String((x as Error).message).includes(INPUT_RACE);
}

/**
 * Tries a step gets when the Linux build stops on its input race. A long session of typed
 * input meets it often enough on a 2-core machine that three were once not enough: a clean
 * CI run saw bench:ram's measurement stop on it twice in a row.
 */
export const INPUT_RACE_TRIES = 5;

/**
 * Runs `step` (given its attempt, from 1) and runs it again, up to INPUT_RACE_TRIES in all,
 * when it failed on the Linux build's input race (either outcome): `raced(x)` says so, by
 * default isInputRace(x). Any other failure is thrown at once. `what` and `again` make the
 * line written to stderr: "<what>: the Linux build met its input race (<outcome>); <again>".
 */
export async function againOnInputRace<T>(
  what: string,
  again: string,
  step: (attempt: number) => Promise<T>,
  raced: (x: unknown) => boolean = isInputRace,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (x) {
      if (attempt >= INPUT_RACE_TRIES || !raced(x)) throw x;
      const outcome = String((x as Error).message).includes(INPUT_REPLAY)
        ? INPUT_REPLAY
        : INPUT_RACE;
      process.stderr.write(
        what + ": the Linux build met its input race (" + outcome + "); " + again + "\n",
      );
    }
  }
}

/**
 * The interpreters still running. A script or test that fails between start() and kill()
 * would leave its interpreter behind, running with its input closed: one that a bench:ram
 * failure left took 8 % of a core for half an hour, under every figure measured after it.
 * So whatever is left is killed when Node exits.
 */
const live = new Set<ChildProcessWithoutNullStreams>();
process.once("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

export class Espruino {
  readonly proc: ChildProcessWithoutNullStreams;
  /** Everything printed so far (latin1). */
  out = "";
  private mark = 0;
  exited = false;
  /**
   * The queries answered so far, by tag: where in `out` each answer ended. The tag printed
   * again after that is input run twice (INPUT_REPLAY).
   */
  private answered = new Map<string, number>();
  private replayed = false;

  /** True once this interpreter has met its input race, in either outcome. */
  get raced(): boolean {
    return this.replayed || this.out.includes(INPUT_RACE);
  }

  constructor(bin: string, cwd: string) {
    this.proc = spawn(bin, [], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    live.add(this.proc);
    this.proc.stdout.on("data", (d: Buffer) => {
      this.out += d.toString("latin1");
    });
    this.proc.stderr.on("data", () => undefined);
    this.proc.on("exit", () => {
      this.exited = true;
      live.delete(this.proc);
    });
  }

  /** Starts one in `cwd` (where its fake flash, espruino.flash, lives) and waits for the prompt. */
  static async start(bin: string, cwd: string): Promise<Espruino> {
    const e = new Espruino(bin, cwd);
    await e.waitFor(/>$/, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    return e;
  }

  /** Output since the last since() call. */
  since(): string {
    const s = this.out.slice(this.mark);
    this.mark = this.out.length;
    return s;
  }

  async waitFor(what: string | RegExp, ms = 10_000): Promise<string> {
    const start = Date.now();
    for (;;) {
      const text = this.out.slice(this.mark);
      const hit = typeof what === "string" ? text.includes(what) : what.test(text);
      if (hit) return text;
      if (this.exited) {
        const out = "espruino exited; output:\n" + this.out.slice(-2000);
        throw this.raced ? new InputRaceError(INPUT_RACE + ": " + out) : new Error(out);
      }
      if (this.replays(text)) {
        this.replayed = true;
        throw new InputRaceError(INPUT_REPLAY + "; output:\n" + text.slice(-2000));
      }
      if (Date.now() - start > ms)
        throw new Error(
          "timed out waiting for " + String(what) + "; output:\n" + text.slice(-2000),
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * True when `text` (the output from the mark on) holds an answer printed again after it
   * was received. The answer itself may be in `text`: a waitFor() after a query, with no
   * since() between them, starts at the query's mark.
   */
  private replays(text: string): boolean {
    for (const m of text.matchAll(/<(Q\d+)>/g)) {
      const end = this.answered.get(m[1] as string);
      if (end !== undefined && this.mark + m.index >= end) return true;
    }
    return false;
  }

  private queue = "";
  private pumping = false;

  /**
   * Types `text` in pieces of at most 64 bytes, 2 ms apart, in order. A larger burst on
   * stdin can corrupt the Linux build's IO event buffer (seen as "ASSERT(len <= 64) FAILED
   * AT src/jsdevices.c:601" and the interpreter exiting), and a person at a terminal or a
   * serial link at 115200 baud never delivers faster than this.
   */
  send(text: string): void {
    this.queue += text;
    if (this.pumping) return;
    this.pumping = true;
    const pump = (): void => {
      if (this.exited || !this.queue) {
        this.pumping = false;
        return;
      }
      this.proc.stdin.write(this.queue.slice(0, 64));
      this.queue = this.queue.slice(64);
      setTimeout(pump, 2);
    };
    pump();
  }

  /**
   * The console as a host Transport (what the page's installer and the CLI talk through):
   * writes are typed as send() types them; closing it leaves the interpreter running.
   */
  transport(): Transport {
    const listeners = new Set<(text: string) => void>();
    const onOut = (d: Buffer): void => {
      for (const l of listeners) l(d.toString("latin1"));
    };
    this.proc.stdout.on("data", onOut);
    return {
      name: "espruino-linux",
      write: async (text) => {
        this.send(text);
        while (this.queue && !this.exited) await new Promise((r) => setTimeout(r, 2));
      },
      onData: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      onClose: (l) => {
        const f = (): void => l();
        this.proc.once("exit", f);
        return () => this.proc.off("exit", f);
      },
      close: async () => {
        this.proc.stdout.off("data", onOut);
      },
    };
  }

  /** Evaluates an expression silently (DLE) and returns what it prints between markers. */
  async query(expr: string, ms = 10_000): Promise<string> {
    const tag = "Q" + Math.floor(Math.random() * 1e9);
    this.since();
    this.send("\x10print('<" + tag + ">'+(" + expr + ")+'</" + tag + ">')\n");
    const text = await this.waitFor("</" + tag + ">", ms);
    this.answered.set(tag, this.mark + text.indexOf("</" + tag + ">") + tag.length + 3);
    const m = new RegExp("<" + tag + ">([\\s\\S]*)</" + tag + ">").exec(text);
    return m ? (m[1] as string) : "";
  }

  /** Runs statements silently and waits until they are done. */
  async run(code: string, ms = 10_000): Promise<void> {
    await this.query("(function(){" + code + "})(),''", ms);
  }

  /**
   * Writes Storage files as EspruinoTools does (base64 chunks of 256 characters, well
   * inside the 1 KB input FIFO) and checks each by length and E.CRC32.
   */
  async writeFiles(files: Record<string, string>, crc32: (b: Uint8Array) => number): Promise<void> {
    for (const name of Object.keys(files)) {
      const code = files[name] ?? "";
      const b64 = Buffer.from(code, "latin1").toString("base64");
      const CHUNK = 256;
      for (let i = 0, n = 0; i < b64.length; i += CHUNK, n++) {
        const off = (i / 4) * 3;
        const size = off === 0 ? "," + code.length : "";
        const line =
          '\x10require("Storage").write(' +
          JSON.stringify(name) +
          ',atob("' +
          b64.slice(i, i + CHUNK) +
          '"),' +
          off +
          size +
          ");print('W" +
          n +
          "')\n";
        // A line the interpreter received with bytes missing (the input race above, seen
        // once in a CI-sized run as a SyntaxError inside a chunk) did not run, so nothing
        // of it was written: it is typed again. A chunk that ran with wrong bytes fails
        // the length and CRC check below.
        for (let attempt = 1; ; attempt++) {
          this.since();
          this.send(line);
          const text = await this.waitFor(new RegExp("W" + n + "\r\n|Uncaught SyntaxError"));
          if (text.includes("W" + n + "\r\n")) break;
          if (attempt === 3)
            throw new Error("Storage file " + name + ": chunk " + n + " did not arrive:\n" + text);
          await new Promise((r) => setTimeout(r, 300));
        }
      }
      const len = Number(
        await this.query('require("Storage").read(' + JSON.stringify(name) + ").length"),
      );
      const crc = Number(
        await this.query('E.CRC32(require("Storage").read(' + JSON.stringify(name) + "))"),
      );
      if (len !== code.length || crc !== crc32(Buffer.from(code, "latin1")))
        throw new Error("Storage file " + name + " did not arrive whole");
    }
  }

  /** L, in ms: the best of `n` timings of `for(var i=0;i<1000;i++);` in this process. */
  async measureL(n = 7): Promise<number> {
    await this.run(
      "global.__L=function(){var t=getTime();for(var i=0;i<1000;i++);return getTime()-t;}",
    );
    let best = Infinity;
    for (let i = 0; i < n; i++) best = Math.min(best, Number(await this.query("__L()")) * 1000);
    await this.run("delete global.__L");
    return best;
  }

  kill(): Promise<void> {
    return new Promise((resolve) => {
      if (this.exited) return resolve();
      this.proc.on("exit", () => resolve());
      this.proc.kill("SIGKILL");
    });
  }
}
