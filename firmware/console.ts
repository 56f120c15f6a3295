// Console capture: what the app prints (print, console.log) goes into the console ring as
// well as to the console, and the console itself is left where it is.
//
// The capture wraps the global `print` and `console.log`: each call writes its text into
// the ring (two native copies) and then calls the interpreter's own function with the same
// arguments. So every line reaches the user exactly as without the logger, in order and
// at once: no console move, no Loopback device, whose FIFO holds about 1 KB and drains only
// while JavaScript is idle (a synchronous burst of 25 lines lost all but 21 that way), no
// marker bytes, no handler whose failure would leave the console on a loopback with nobody
// forwarding it (docs/FIRMWARE.md, "Console capture").
//
// What the ring does not see: text the interpreter prints itself (the REPL's echo and
// results, "Uncaught ..." when nobody handles it, warnings). The logger's hooks print the
// uncaught exception and note the error flags themselves (api.ts), so a record still holds
// them. Device code (docs/DIALECT.md).

import type { Ring } from "../src/core/ring.js";
import { ringWrite } from "../src/core/ring.js";

/** The interpreter's own print: the retrieval prints through it, so that its output is not recorded. */
export let printUnrecorded: (line: string) => void = print;

/** print or console.log, called with the arguments its wrapper was given. */
interface Printer {
  apply(self: unknown, args: IArguments): void;
}

let ring: Ring;

/**
 * Writes text into the ring as the console would show it, with a native conversion. Never
 * throws: printing must not fail because recording did (out of memory, say).
 */
export function ringText(s: string): void {
  try {
    ringWrite(ring, new Uint8Array(E.toArrayBuffer(s)));
  } catch (e) {
    // the line reaches the console; only the ring misses it
  }
}

/** The text print/console.log show for their arguments: strings as they are, the rest as JSON or String(). */
function record(args: IArguments): void {
  try {
    let s = "";
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as unknown;
      let t = typeof a === "string" ? a : String(a);
      if (typeof a === "object" && a !== null && t === "[object Object]") t = JSON.stringify(a);
      s += i ? " " + t : t;
    }
    // Terminal escapes and carriage returns are the terminal's business, not the record's;
    // most lines have none, and indexOf is a native scan.
    // A RegExp from a string: Espruino's lexer ends a regex literal at a "/" inside a
    // character class (measured on 2v29: "Got ')' expected EOF").
    if (s.indexOf("\x1b") >= 0 || s.indexOf("\r") >= 0)
      // eslint-disable-next-line no-control-regex -- ESC is what it removes
      s = s.replace(new RegExp("\\x1b\\[[0-9;?]*[ -\\x2f]*[@-~]|\\x1b[@-_]|\\r", "g"), "");
    ringText(s + "\n");
  } catch (e) {
    // as above
  }
}

/** Starts recording into `r`. */
export function captureConsole(r: Ring): void {
  ring = r;
  const g = global as unknown as Record<string, unknown>;
  const p = g["print"] as Printer;
  // The name itself, not g["console"]: until `console` has been used, g["console"] is a
  // fresh object at each read, and a wrapper set on it wraps nothing (measured on 2v29);
  // using the name makes the interpreter create the root variable that lasts.
  const c = console as unknown as Record<string, unknown>;
  const l = c["log"] as Printer;
  printUnrecorded = g["print"] as (line: string) => void;
  // `arguments` and apply(): the interpreter has no rest parameters or spread (docs/DIALECT.md).
  /* eslint-disable prefer-rest-params, prefer-spread */
  g["print"] = function (): void {
    record(arguments);
    p.apply(undefined, arguments);
  };
  c["log"] = function (): void {
    record(arguments);
    l.apply(c, arguments);
  };
  /* eslint-enable prefer-rest-params, prefer-spread */
}
