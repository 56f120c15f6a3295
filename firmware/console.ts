// Console capture: everything the interpreter prints goes into the ConsoleRing, and still
// reaches the user.
//
// The console is moved to LoopbackA (non-forced), so the interpreter's output, its own
// "Uncaught ..." and "New interpreter error" lines included, arrives as LoopbackB 'data'
// events. Each chunk is forwarded to the real console device (the one E.getConsole() named
// before: USB, Serial1, Bluetooth, Telnet, Terminal) and, with prompts, escapes and "\r"
// stripped, written to the ring. Input from the real device is written to LoopbackB, so it
// reaches the REPL on LoopbackA: the user and the host tools keep a working REPL.
//
// Loopback output is delivered asynchronously, from the idle loop. So:
// - `later(fn)` runs fn once everything printed so far has reached the ring: it writes a
//   marker byte to LoopbackA, which arrives after the pending output, and runs fn when the
//   marker comes out of LoopbackB (or after 1 s if the marker was lost to FIFO_FULL).
// - `quiet(lines)` prints through the console (so in order with the REPL's echo and
//   result) between two markers that stop and restart recording (mtdoops.list()).
// - `out(line)` (retrieval output) writes straight to the real device: it never enters the
//   loopback, so it never reaches the ring, and it blocks on the device's transmit buffer
//   instead of overflowing the 1 KB input FIFO as a large print through the loopback would.
//
// The console moves by itself when a non-forced console meets a new connection (Bluetooth
// connect, USB plug-in, a Telnet client): we take it back on NRF 'connect', and elsewhere
// every 5 s. docs/FIRMWARE.md says what was verified on the interpreter. Device code.

import type { ConsoleRing } from "../src/core/ring.js";
import type { EspE, EspEventSource, EspSerial } from "./espruino.js";

declare const E: EspE;
declare const LoopbackA: EspSerial;
declare const LoopbackB: EspSerial;
declare const NRF: EspEventSource;
declare const print: (s: string) => void;

export interface Capture {
  /**
   * Prints one line that must not be recorded (retrieval output), straight to the real
   * console device when the capture holds the console.
   */
  out(line: string): void;
  /** Prints lines in order with the REPL's own output, without recording them. */
  quiet(lines: string[]): void;
  /** Runs `fn` once everything printed so far has reached the ring. */
  later(fn: () => void): void;
  /** Gives the console back to the real device (before reset() or load() clear the JS state). */
  release(): void;
}

// Markers written to LoopbackA, recognised (and removed) only while some are outstanding:
// RUN runs the `later` jobs, QUIET/LOUD stop and restart recording.
const RUN = "\x00";
const QUIET = "\x0e";
const LOUD = "\x0f";

export function startCapture(ring: ConsoleRing): Capture {
  const has = typeof LoopbackA !== "undefined";
  let real: EspSerial | undefined;
  let realName = "";
  let home = "";
  let marks = 0;
  let pend: Array<() => void> = [];
  let esc = 0;
  let bol = true;
  let quiet = false;
  const g = global as unknown as Record<string, EspSerial>;

  const run = (): void => {
    const p = pend;
    pend = [];
    for (let i = 0; i < p.length; i++) (p[i] as () => void)();
  };
  // Forwards a chunk, and records it without prompts, ANSI escapes, "\r" and other controls.
  const onData = (d: string): void => {
    // A handler that throws is removed by Espruino: never throw from here.
    try {
      let f = marks ? "" : d;
      let o = "";
      for (let i = 0; i < d.length; i++) {
        const c = d[i] as string;
        if (marks && (c === RUN || c === QUIET || c === LOUD)) {
          marks--;
          if (c === RUN) {
            if (o) ring.writeString(o);
            o = "";
            run();
          } else quiet = c === QUIET;
          continue;
        }
        if (marks) f += c;
        if (quiet) continue;
        if (esc === 1) esc = c === "[" ? 2 : 0;
        else if (esc === 2) {
          if (c >= "@" && c <= "~") esc = 0;
        } else if (c === "\x1b") esc = 1;
        else if (c === "\r") bol = true;
        else if (c === ">" && bol) bol = false;
        else if (c >= " " || c === "\n" || c === "\t") {
          o += c;
          bol = c === "\n";
        }
      }
      if (o) ring.writeString(o);
      if (real && f) real.write(f);
    } catch (e) {
      // nothing we can do
    }
  };
  const fwdIn = (d: string): void => {
    LoopbackB.write(d);
  };
  const setReal = (n: string): void => {
    if (real) real.removeListener("data", fwdIn);
    real = g[n];
    realName = n;
    if (!home) home = n;
    if (real) real.on("data", fwdIn);
  };
  const grab = (): void => {
    const c = E.getConsole();
    if (!c || c === "Limbo" || c.indexOf("Loopback") === 0) return;
    setReal(c);
    LoopbackA.setConsole();
  };

  if (has) {
    LoopbackB.on("data", onData);
    grab();
    if (typeof NRF !== "undefined") {
      NRF.on("connect", () => {
        setTimeout(grab, 50);
      });
      NRF.on("disconnect", () => {
        if (home !== "Bluetooth") setReal(home);
      });
    } else setInterval(grab, 5000);
    // At power-on the console can still be in "Limbo" for a second.
    if (!real) setTimeout(grab, 1500);
  }
  return {
    out: (s: string): void => {
      if (real && E.getConsole() === "LoopbackA") real.write(s + "\r\n");
      else print(s);
    },
    quiet: (lines: string[]): void => {
      if (has) {
        marks += 2;
        LoopbackA.write(QUIET);
      }
      for (let i = 0; i < lines.length; i++) print(lines[i] as string);
      if (has) {
        LoopbackA.write(LOUD);
        // If FIFO_FULL swallowed the LOUD marker, record again anyway.
        setTimeout(() => {
          quiet = false;
        }, 2000);
      }
    },
    later: (fn: () => void): void => {
      if (!has) return fn();
      pend.push(fn);
      marks++;
      LoopbackA.write(RUN);
      setTimeout(run, 1000);
    },
    release: (): void => {
      if (realName && E.getConsole() === "LoopbackA") E.setConsole(realName);
    },
  };
}
