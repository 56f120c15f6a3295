// Where dumps come from: uncaught exceptions, interpreter error flags, shutdown (E 'kill').
// The reset reason at boot is read by the boot-time module (mount.ts). Device code.

import type { LogCore } from "../src/core/log-core.js";
import { REASON_ERRORFLAG, REASON_OOPS, REASON_SHUTDOWN } from "../src/core/record.js";
import type { Capture } from "./console.js";
import type { ContextFn } from "./context.js";
import type { EspE, EspProcess } from "./espruino.js";

declare const E: EspE;
declare const process: EspProcess;
declare const print: (s: string) => void;

export function installHooks(log: LogCore, cap: Capture, ctx: ContextFn): void {
  // Registering this handler silences the interpreter's own report: print it as it would.
  process.on("uncaughtException", (e: unknown) => {
    const x = e as { message?: string; stack?: string } | undefined;
    const stack = x && typeof x === "object" && x.stack ? x.stack : undefined;
    print(("Uncaught " + e + "\n" + (stack || "")).trim());
    cap.later(() => {
      log.dump(
        REASON_OOPS,
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
        log.dump(REASON_ERRORFLAG, ctx("interpreter error " + flags.join(","), undefined, flags));
      });
    }, 0);
  });
  // reset(), load(), save(), E.reboot(): the JS state is about to go. A timer would never
  // run, so write the record now, and give the console back to the real device.
  E.on("kill", () => {
    cap.release();
    log.dump(REASON_SHUTDOWN, ctx("shutdown"));
    log.runJobs();
  });
}
