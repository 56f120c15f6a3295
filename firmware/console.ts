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
//
// There is one console, so the capture is module state and module functions: no object of
// closures, and every function here is one the firmware needs (each costs RAM for as long
// as it runs, docs/FOOTPRINT.md).

import type { ConsoleRing } from "../src/core/ring.js";
import type { EspE, EspEventSource, EspSerial } from "./espruino.js";

declare const E: EspE;
declare const LoopbackA: EspSerial;
declare const LoopbackB: EspSerial;
declare const NRF: EspEventSource;
declare const print: (s: string) => void;

// Markers written to LoopbackA, recognised (and removed) only while some are outstanding:
// RUN runs the `later` jobs, QUIET/LOUD stop and restart recording.
const RUN = "\x00";
const QUIET = "\x0e";
const LOUD = "\x0f";

let ring: ConsoleRing | undefined;
/** The real console device (Serial1, USB, Bluetooth, Telnet, Terminal) and its name. */
let real: EspSerial | undefined;
let realName = "";
/** The device that had the console when the capture started: where it goes back on BLE disconnect. */
let home = "";
/** Markers written and not yet seen. */
let marks = 0;
let pend: Array<() => void> = [];
/** Escape-sequence state: 0 none, 1 after ESC, 2 inside CSI. */
let esc = 0;
/** At the beginning of a line (where the REPL's ">" prompt is). */
let bol = true;
let quietNow = false;

/** Runs the `later` jobs. */
function runLater(): void {
  const p = pend;
  pend = [];
  for (let i = 0; i < p.length; i++) (p[i] as () => void)();
}

// Forwards a chunk, and records it without prompts, ANSI escapes, "\r" and other controls.
function onData(d: string): void {
  // A handler that throws is removed by Espruino: never throw from here.
  try {
    let f = marks ? "" : d;
    let o = "";
    for (let i = 0; i < d.length; i++) {
      const c = d[i] as string;
      if (marks && (c === RUN || c === QUIET || c === LOUD)) {
        marks--;
        if (c === RUN) {
          if (o && ring) ring.write(o);
          o = "";
          runLater();
        } else quietNow = c === QUIET;
        continue;
      }
      if (marks) f += c;
      if (quietNow) continue;
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
    if (o && ring) ring.write(o);
    if (real && f) real.write(f);
  } catch (e) {
    // nothing we can do
  }
}

/** Input from the real device goes to the REPL, which listens on LoopbackA. */
function fwdIn(d: string): void {
  LoopbackB.write(d);
}

/**
 * With a device name: makes it the real device (forwarding its input). Without one: when
 * the console has moved to a real device (a new connection takes a non-forced console),
 * makes that the real device and takes the console back to LoopbackA.
 */
function grab(to?: string): void {
  const c = to || E.getConsole();
  if (!c || c === "Limbo" || c.indexOf("Loopback") === 0) return;
  if (real) real.removeListener("data", fwdIn);
  real = (global as unknown as Record<string, EspSerial>)[c];
  realName = c;
  if (!home) home = c;
  if (real) real.on("data", fwdIn);
  if (!to) LoopbackA.setConsole();
}

/**
 * NRF 'disconnect' (a reason number) returns to the home device; NRF 'connect' (an address)
 * takes the console back once the connection settled. One handler for both.
 */
function onBle(x: unknown): void {
  if (typeof x !== "number") setTimeout(grab, 50);
  else if (home !== "Bluetooth") grab(home);
}

/** Starts capturing the console into `r` (nothing to capture without the loopback devices). */
export function startCapture(r: ConsoleRing): void {
  ring = r;
  if (typeof LoopbackA === "undefined") return;
  LoopbackB.on("data", onData);
  grab();
  if (typeof NRF !== "undefined") {
    NRF.on("connect", onBle);
    NRF.on("disconnect", onBle);
  } else setInterval(grab, 5000);
  // At power-on the console can still be in "Limbo" for a second.
  if (!real) setTimeout(grab, 1500);
}

/**
 * Prints one line that must not be recorded (retrieval output), straight to the real
 * console device when the capture holds the console: it never enters the loopback, and it
 * blocks on the device's transmit buffer instead of overflowing the loopback's FIFO.
 */
export function out(line: string): void {
  if (real && E.getConsole() === "LoopbackA") real.write(line + "\r\n");
  else print(line);
}

/** Prints lines in order with the REPL's own output, without recording them. */
export function quiet(lines: string[]): void {
  const has = typeof LoopbackA !== "undefined";
  if (has) {
    marks += 2;
    LoopbackA.write(QUIET);
  }
  for (let i = 0; i < lines.length; i++) print(lines[i] as string);
  if (has) {
    LoopbackA.write(LOUD);
    // If FIFO_FULL swallowed the LOUD marker, record again anyway.
    setTimeout(onData, 2000, LOUD);
  }
}

/** Runs `fn` once everything printed so far has reached the ring. */
export function later(fn: () => void): void {
  if (typeof LoopbackA === "undefined") return fn();
  pend.push(fn);
  marks++;
  LoopbackA.write(RUN);
  // If the marker was lost (FIFO_FULL), run anyway.
  setTimeout(runLater, 1000);
}

/** Gives the console back to the real device (before reset() or load() clear the JS state). */
export function release(): void {
  if (realName && E.getConsole() === "LoopbackA") E.setConsole(realName);
}
