// What the firmware installs once the log is mounted: the dump path (record()), the dump
// hooks (uncaught exceptions, interpreter error flags, shutdown) and the global `mtdoops`
// object (the device-side commands, docs/FIRMWARE.md, SPEC.md §7). All resident: a dump
// loads nothing, checks the per-boot cap and the crash-loop guard before it builds
// anything, and builds its record in buffers allocated at boot (src/core/log-core.ts
// dumpAdmitted()). list, dump, clear and stats run the retrieval module (read.ts) through
// runModule(). Device code (docs/DIALECT.md).

import { FirmwareFile, ReadCommand } from "../src/boards/firmware-files.js";
import { admission, dumpAdmitted, runJobs } from "../src/core/log-core.js";
import { Reason } from "../src/core/record.js";
import { printUnrecorded, ringText } from "./console.js";
import { context } from "./context.js";
import type { DeviceLog } from "./env.js";
import { MIN_FREE } from "./env.js";
import { runModule } from "./modules.js";

declare const MTDOOPS_VERSION: string;

export interface MtdoopsApi {
  version: string;
  /** Writes a panic record now, synchronously; true when it is on flash. */
  panic(message: string): boolean;
  /** Captures an oops record now, written by a job; false when it will not be recorded. */
  oops(message: string): boolean;
  /** Writes "[note] message" into the console ring (not printed). */
  note(message: string): void;
  /** Prints one human-readable line per live record. */
  list(): void;
  /** Frees the live records not newer than `upto`; prints MTDOOPS:CLEARED. */
  clear(upto: number): void;
  /** The retrieval command (SPEC.md §7): records newer than `since` (-1: all); z=1 compresses. */
  dump(since: number, z: number): void;
  stats(): Record<string, number | string>;
}

/**
 * Records a dump that admission() has admitted (each caller asks it first, so that a dump
 * past the cap, in the crash-loop guard's window or with the log not ready is counted
 * before anything is built, and asked once): `reason`, the context's message, stack,
 * error flags and reset reason, the record's flags. True when written (panic) or queued
 * (the others). A dump that finds less than MIN_FREE JsVars free is counted lost rather
 * than take the app's last memory; free after a garbage collection, which runs only when
 * the count without one is short (uncollected reference cycles count as used until then:
 * compress() in env.ts). Never throws.
 */
export function record(
  log: DeviceLog,
  reason: number,
  msg: string,
  stack?: string,
  errorFlags?: string[],
  reset?: string,
  flags?: number,
): boolean {
  try {
    if (process.memory(false).free < MIN_FREE && process.memory().free < MIN_FREE) {
      log.stats.lost++;
      return false;
    }
    return dumpAdmitted(log, reason, context(log, msg, stack, errorFlags, reset), flags);
  } catch (e) {
    log.stats.lost++;
    return false;
  }
}

/** The listeners Espruino keeps for process's "uncaughtException" (src/jswrap_object.c stores them as "#on" + event). */
type Listeners = { "#onuncaughtException"?: unknown[] };

/** The exception object the hook last saw: the same one seen twice is one crash (install()). */
let last: unknown;

/**
 * An uncaught exception that the hook's admission() has admitted: its report into the
 * ring (the interpreter prints it after the hook, where the capture cannot see it), then
 * the record.
 */
function recordUncaught(log: DeviceLog, e: unknown, alone: boolean): void {
  if (typeof e === "object") last = e;
  try {
    const x = e as { message?: string; stack?: string } | undefined;
    const stack = x && typeof x === "object" && x.stack ? String(x.stack) : undefined;
    if (alone) ringText("Uncaught " + e + (stack ? "\n" + stack.replace(/\n$/, "") : "") + "\n");
    record(log, Reason.OOPS, x && x.message !== undefined ? String(x.message) : String(e), stack);
  } catch (z) {
    log.stats.lost++;
  }
}

export function install(log: DeviceLog): void {
  const api: MtdoopsApi = {
    version: typeof MTDOOPS_VERSION === "string" ? MTDOOPS_VERSION : "dev",
    panic: (m: string): boolean =>
      !admission(log, Reason.PANIC) && record(log, Reason.PANIC, String(m)),
    oops: (m: string): boolean =>
      !admission(log, Reason.OOPS) && record(log, Reason.OOPS, String(m)),
    note: (m: string): void => ringText("[note] " + m + "\n"),
    list: (): void =>
      runModule(FirmwareFile.Read, log, ReadCommand.List, 0, 0, printUnrecorded) as void,
    clear: (upto: number): void =>
      runModule(FirmwareFile.Read, log, ReadCommand.Clear, upto, 0, printUnrecorded) as void,
    dump: (since: number, z: number): void =>
      runModule(FirmwareFile.Read, log, ReadCommand.Dump, since, z, printUnrecorded) as void,
    stats: (): Record<string, number | string> =>
      runModule(FirmwareFile.Read, log, ReadCommand.Stats, 0, 0, printUnrecorded) as Record<
        string,
        number | string
      >,
  };
  (global as unknown as Record<string, unknown>)["mtdoops"] = api;

  // The uncaught-exception hook. Registering a handler makes the interpreter treat the
  // error as handled; an exception still pending after the handlers is reported as if
  // nobody had (src/jsinteractive.c jsiCheckErrors). So once the exception is recorded,
  // the hook throws it again when it is the only handler, and the interpreter reports it
  // exactly as without the logger: "Uncaught ...", onErrorFlash, onErrorSave, none of it
  // ours to copy or to follow. With a handler of the app's own after this one, the app
  // takes the error as it would without the logger: nothing is printed, and it is still
  // recorded.
  //
  // A crash that will not be recorded (past the per-boot cap, in the crash-loop guard's
  // window) is only counted, here, before anything else is entered: on the board a call
  // lexes the whole function it enters, from flash where Storage is not memory-mapped
  // (docs/FOOTPRINT.md). Its report is then not copied into the ring either.
  process.on("uncaughtException", (e: unknown) => {
    const alone = ((process as unknown as Listeners)["#onuncaughtException"] || []).length < 2;
    // An exception the app emits itself (process.emit) comes back once more, from
    // jsiCheckErrors, after this hook has thrown it: it is one crash.
    if (e === last) last = undefined;
    else {
      if (!admission(log, Reason.OOPS)) recordUncaught(log, e, alone);
    }
    if (alone) throw e;
  });
  // The interpreter prints "New interpreter error: ..." itself after this handler returns,
  // to the console, where the capture does not see it: note it in the ring. An error flag
  // that finds memory short (MEMORY, most of all) is recorded once memory is back.
  const onFlags = (flags: string[]): void => {
    try {
      E.getErrorFlags(); // clears the flags, so that the next occurrence raises the event again
      if (process.memory(false).free < MIN_FREE && process.memory().free < MIN_FREE) {
        setTimeout(onFlags, 1000, flags);
        return;
      }
      ringText("New interpreter error: " + flags.join(",") + "\n");
      if (!admission(log, Reason.ERRORFLAG))
        record(log, Reason.ERRORFLAG, "interpreter error " + flags.join(","), undefined, flags);
    } catch (z) {
      log.stats.lost++;
    }
  };
  E.on("errorFlag", onFlags);
  // reset(), load(), save(), E.reboot(): the JS state is about to go and no timer would
  // run again, so the record and the pending ones are written now, with no timer queued.
  E.on("kill", () => {
    log._jobQueued = true;
    if (!admission(log, Reason.SHUTDOWN)) record(log, Reason.SHUTDOWN, "shutdown");
    runJobs(log);
  });
}
