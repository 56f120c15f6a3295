// Where dumps come from: uncaught exceptions, interpreter error flags, shutdown (E 'kill'),
// and the reset reason at boot. Device code.

import type { CrashLog } from "../src/core/log.js";
import { Flags, getU32, Reason } from "../src/core/record.js";
import type { Capture } from "./console.js";
import type { ContextFn } from "./context.js";
import type { EspE, EspProcess, Esp8266 } from "./espruino.js";

declare const E: EspE;
declare const process: EspProcess;
declare const print: (s: string) => void;
declare const peek32: (addr: number) => number;
declare const poke32: (addr: number, value: number) => void;
declare const ESP8266: Esp8266;

/** nRF52 POWER->RESETREAS: bits accumulate until written back as 1. */
const RESETREAS = 0x40000400;

/**
 * The reset reason as [text, flags], or null when the reset needs no record: power-on,
 * reset pin, wake from System OFF, a requested restart, or a board that cannot tell.
 */
export function resetReason(kind: string, log: CrashLog): [string, number] | null {
  if (kind === "nrf52") {
    const r = peek32(RESETREAS);
    poke32(RESETREAS, r);
    if (r & 2) return ["watchdog", Flags.UNEXPECTED];
    if (r & 8) return ["lockup", Flags.UNEXPECTED];
    if (r & 4) {
      // System reset request: E.reboot() (whose 'kill' wrote a shutdown record as the
      // previous boot's last record), or the firmware's own fault handler ("NRF ERROR ...
      // REBOOTING").
      const prev = log.readRaw((log.nextSlot + log.slots - 1) % log.slots);
      const asked =
        prev && prev[26] === Reason.SHUTDOWN && getU32(prev, 32) === (log.boot - 1) >>> 0;
      return asked ? null : ["system reset request", 0];
    }
    return null;
  }
  if (kind === "esp8266") {
    const i = ESP8266.getResetInfo();
    if (/wdt|exception/.test(i.reason))
      return [
        i.reason + (i.exccause !== undefined ? " exccause " + i.exccause + " epc1 " + i.epc1 : ""),
        Flags.UNEXPECTED,
      ];
  }
  return null;
}

export function installHooks(log: CrashLog, cap: Capture, ctx: ContextFn, resetKind: string): void {
  // Registering this handler silences the interpreter's own report: print it as it would.
  process.on("uncaughtException", (e: unknown) => {
    const x = e as { message?: string; stack?: string } | undefined;
    const stack = x && typeof x === "object" && x.stack ? x.stack : undefined;
    print(("Uncaught " + e + "\n" + (stack || "")).trim());
    cap.later(() => {
      log.dump(
        Reason.OOPS,
        ctx(x && x.message !== undefined ? String(x.message) : String(e), stack),
      );
    });
  });
  E.on("errorFlag", (flags: string[]) => {
    E.getErrorFlags(); // clears the flags, so that the next occurrence raises the event again
    // The interpreter prints "New interpreter error: ..." after this handler returns: wait
    // for that line too.
    setTimeout(() => {
      cap.later(() => {
        log.dump(Reason.ERRORFLAG, ctx("interpreter error " + flags.join(","), undefined, flags));
      });
    }, 0);
  });
  // reset(), load(), save(), E.reboot(): the JS state is about to go. A timer would never
  // run, so write the record now, and give the console back to the real device.
  E.on("kill", () => {
    cap.release();
    log.dump(Reason.SHUTDOWN, ctx("shutdown"));
    log.runJobs();
  });
  if (log.state === "ready") {
    const r = resetReason(resetKind, log);
    if (r) log.dump(Reason.REBOOT, ctx("reset: " + r[0], undefined, undefined, r[0]), r[1]);
  }
}
