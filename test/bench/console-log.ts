// A realistic console log for the benchmarks, as an Espruino app prints it: the boot banner,
// periodic sensor lines that repeat with small changes, BLE connection notices, warnings,
// and uncaught errors with Espruino's stack trace format. Deterministic from a seed.
// Host-only; bench code.

import { Prng } from "../../src/sim/prng.js";

const FUNCTIONS = ["tick", "readSensor", "onConnect", "sendReport", "parseReply", "update"];
const PROPS = ["x", "value", "length", "temp", "state", "buf"];

/** One uncaught error as Espruino prints it: message, the source line, a caret, the callers. */
export function stackTrace(rng: Prng): string {
  const fn = FUNCTIONS[rng.int(FUNCTIONS.length)]!;
  const caller = FUNCTIONS[rng.int(FUNCTIONS.length)]!;
  const prop = PROPS[rng.int(PROPS.length)]!;
  const line = 10 + rng.int(200);
  const col = 3 + rng.int(30);
  return (
    "Uncaught Error: Cannot read property '" +
    prop +
    "' of undefined\r\n" +
    " at line " +
    line +
    " col " +
    col +
    "\r\n" +
    "    this.state." +
    prop +
    " += reading." +
    prop +
    ";\r\n" +
    "    " +
    " ".repeat(col - 3) +
    "^\r\n" +
    'in function "' +
    fn +
    '" called from line ' +
    (line + 20) +
    " col 5\r\n" +
    "    " +
    fn +
    "();\r\n" +
    "    ^\r\n" +
    'in function "' +
    caller +
    '" called from system\r\n'
  );
}

/** Console lines of an app that has run for a while: `bytes` bytes or just over, ending with a stack trace. */
export function consoleLog(seed: number, bytes: number): string {
  const rng = new Prng(seed);
  let out = "";
  let t = 1000 + rng.int(5000);
  while (out.length < bytes) {
    const r = rng.next();
    t += 1 + rng.int(5);
    if (r < 0.6) {
      out +=
        "[" +
        t +
        "] temp=" +
        (21 + rng.int(4)) +
        "." +
        rng.int(10) +
        "C hum=" +
        (40 + rng.int(10)) +
        "% batt=" +
        (2900 + rng.int(100)) +
        "mV\r\n";
    } else if (r < 0.75) {
      out += "[" + t + "] report sent, " + (3 + rng.int(5)) + " readings queued\r\n";
    } else if (r < 0.85) {
      out += rng.next() < 0.5 ? "BLE Connected\r\n" : "BLE Disconnected\r\n";
    } else if (r < 0.93) {
      out +=
        "WARNING: " +
        (rng.next() < 0.5 ? "FIFO_FULL" : "Low memory") +
        ", " +
        rng.int(2000) +
        " vars free\r\n";
    } else {
      out += stackTrace(rng);
    }
  }
  return out + stackTrace(rng);
}

/** The JSON context the firmware records with an uncaught error (SPEC.md §2.5). */
export function crashContext(board: string, n: number): string {
  return JSON.stringify({
    msg: "Cannot read property 'x' of undefined (crash " + n + ")",
    stack:
      ' at line 12 col 5\n    this.state.x += 1;\n        ^\nin function "tick" called from system',
    mem: { free: 1450, usage: 1180, total: 2630 },
    board,
    fw: "2v29",
    lib: "0.1.0",
  });
}
