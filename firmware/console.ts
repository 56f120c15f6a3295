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
// - the retrieval module prints what must not be recorded (console-out.ts) with the
//   capture's state (`cap`) and onData: between two markers that stop and restart
//   recording, or straight to the real device.
//
// The console moves by itself when a non-forced console meets a new connection (Bluetooth
// connect, USB plug-in, a Telnet client): we take it back on NRF 'connect', and elsewhere
// every 5 s. docs/FIRMWARE.md says what was verified on the interpreter. Device code.
//
// There is one console, so the capture is module state and module functions: no object of
// closures, and every function here is one the resident firmware needs (each costs RAM for
// as long as it runs, docs/FOOTPRINT.md).

import type { Ring } from "../src/core/ring.js";
import { ringWrite } from "../src/core/ring.js";
import type { Capture } from "./console-out.js";
import { LOUD, QUIET, RUN } from "./console-out.js";

/** The real console device, the count of markers written and not yet seen, and the ring (set by start()). */
export const cap: Capture & { ring?: Ring } = { real: undefined, marks: 0 };
/** The real device's name (Serial1, USB, Bluetooth, Telnet, Terminal). */
export let realName = "";
/** The device that had the console when the capture started: where it goes back on BLE disconnect. */
let home = "";
let pend: Array<() => void> = [];
/** Escape-sequence state: 0 none, 1 after ESC, 2 inside CSI. */
let esc = 0;
/** 1 at the beginning of a line (where the REPL's ">" prompt is). Numbers, not booleans: 1 JsVar less each. */
let bol = 1;
/** 1 between the QUIET and LOUD markers. */
let quietNow = 0;

/**
 * Runs `fn` once everything printed so far has reached the ring. Without `fn` (the RUN
 * marker came out, or its 1 s timer ran): runs the waiting ones. One function for both, as
 * each resident function costs RAM.
 */
export function later(fn?: () => void): void {
  if (!fn) {
    const p = pend;
    pend = [];
    for (let i = 0; i < p.length; i++) (p[i] as () => void)();
    return;
  }
  if (typeof LoopbackA === "undefined") return fn();
  pend.push(fn);
  cap.marks++;
  LoopbackA.write(String.fromCharCode(RUN));
  // If the marker was lost (FIFO_FULL), run anyway.
  setTimeout(later, 1000);
}

// Forwards a chunk, and records it without prompts, ANSI escapes, "\r" and other controls.
export function onData(d: string): void {
  // A handler that throws is removed by Espruino: never throw from here.
  try {
    let f = cap.marks ? "" : d;
    let o = "";
    for (let i = 0; i < d.length; i++) {
      const c = d[i] as string;
      const k = d.charCodeAt(i);
      if (cap.marks && (k === RUN || k === QUIET || k === LOUD)) {
        cap.marks--;
        if (k === RUN) {
          if (o && cap.ring) ringWrite(cap.ring, o);
          o = "";
          later();
        } else quietNow = k === QUIET ? 1 : 0;
        continue;
      }
      if (cap.marks) f += c;
      if (quietNow) continue;
      if (esc === 1) esc = c === "[" ? 2 : 0;
      else if (esc === 2) {
        if (c >= "@" && c <= "~") esc = 0;
      } else if (c === "\x1b") esc = 1;
      else if (c === "\r") bol = 1;
      else if (c === ">" && bol) bol = 0;
      else if (c >= " " || c === "\n" || c === "\t") {
        o += c;
        bol = c === "\n" ? 1 : 0;
      }
    }
    if (o && cap.ring) ringWrite(cap.ring, o);
    if (cap.real && f) cap.real.write(f);
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
export function grab(to?: string): void {
  const c = to || E.getConsole();
  if (!c || c === "Limbo" || c.indexOf("Loopback") === 0) return;
  if (cap.real) cap.real.removeListener("data", fwdIn);
  cap.real = (global as unknown as Record<string, Serial>)[c];
  realName = c;
  if (!home) home = c;
  if (cap.real) cap.real.on("data", fwdIn);
  if (!to) LoopbackA.setConsole();
}

/**
 * NRF 'disconnect' (a reason number) returns to the home device; NRF 'connect' (an address)
 * takes the console back once the connection settled. One handler for both.
 */
export function onBle(x: unknown): void {
  if (typeof x !== "number") setTimeout(grab, 50);
  else if (home !== "Bluetooth") grab(home);
}
