// Where dumps come from: uncaught exceptions, interpreter error flags, shutdown (E 'kill').
// The reset reason at boot is read by the boot-time module (mount.ts). Device code.

import type { LogCore } from "../src/core/log-core.js";
import { runJobs } from "../src/core/log-core.js";
import { REASON_ERRORFLAG, REASON_OOPS, REASON_SHUTDOWN } from "../src/core/record.js";
import { later, release } from "./console.js";
import { context } from "./context.js";
import type { EspE, EspProcess } from "./espruino.js";

declare const E: EspE;
declare const process: EspProcess;
declare const print: (s: string) => void;

export function installHooks(log: LogCore): void {
  // Registering this handler silences the interpreter's own report: print it as it would.
  process.on("uncaughtException", (e: unknown) => {
    const x = e as { message?: string; stack?: string } | undefined;
    const stack = x && typeof x === "object" && x.stack ? x.stack : undefined;
    print(("Uncaught " + e + "\n" + (stack || "")).trim());
    later(() => {
      log.dump(
        REASON_OOPS,
        context(log, x && x.message !== undefined ? String(x.message) : String(e), stack),
      );
    });
  });
  E.on("errorFlag", (flags: string[]) => {
    E.getErrorFlags(); // clears the flags, so that the next occurrence raises the event again
    // The interpreter prints "New interpreter error: ..." after this handler returns: wait
    // for that line too.
    setTimeout(later, 0, () => {
      log.dump(REASON_ERRORFLAG, context(log, "interpreter error " + flags.join(","), undefined, flags));
    });
  });
  // reset(), load(), save(), E.reboot(): the JS state is about to go. A timer would never
  // run, so write the record now, and give the console back to the real device.
  // A timer made now would outlive the interpreter's teardown (on quit() the Linux build
  // then reports its JsVars as leaked), so the dump is kept from queueing one.
  E.on("kill", () => {
    release();
    log._jobQueued = true;
    log.dump(REASON_SHUTDOWN, context(log, "shutdown"));
    runJobs(log);
  });
}
