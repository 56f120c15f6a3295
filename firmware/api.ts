// What the firmware installs once the log is mounted: the global `mtdoops` object (the
// device-side commands, docs/FIRMWARE.md, SPEC.md §7) and the dump hooks (uncaught
// exceptions, interpreter error flags, shutdown). Each hands its work to a Storage module
// through run() (main.ts): panic, oops and the hooks to the write module (write.ts), list,
// dump, clear and stats to the retrieval module (retrieve.ts). The reset reason at boot is
// read by the mount module (mount.ts).
//
// One function makes all of these closures: they share its scope, which holds only the
// log; every resident function and scope costs RAM for as long as the firmware runs
// (docs/FOOTPRINT.md). Device code.

import { FirmwareFile } from "../src/boards/firmware-files.js";
import { REASON_ERRORFLAG, REASON_OOPS, REASON_PANIC, REASON_SHUTDOWN } from "../src/core/record.js";
import { ringWrite } from "../src/core/ring.js";
import { cap, later, onData, realName } from "./console.js";
import type { DeviceLog } from "./env.js";
import { run } from "./main.js";

declare const MTDOOPS_VERSION: string;

export interface MtdoopsApi {
  version: string;
  /** Writes a panic record now, synchronously; true when it is on flash. */
  panic(message: string): boolean;
  /** Queues an oops record (written once the console so far is captured); false when the log is not ready. */
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

export function install(log: DeviceLog): void {
  // what: 0 list, 1 clear, 2 dump, 3 stats (retrieve.ts). The capture's state and handler
  // go with the call: the retrieval module prints through them (console-out.ts).
  const api: MtdoopsApi = {
    // The version written out here, not through context.ts's LIB, so that it is a literal
    // in the code rather than one more resident variable.
    version: typeof MTDOOPS_VERSION === "string" ? MTDOOPS_VERSION : "dev",
    panic: (m: string): boolean => run(FirmwareFile.Write, REASON_PANIC, String(m)) as boolean,
    oops: (m: string): boolean => {
      later(() => {
        run(FirmwareFile.Write, REASON_OOPS, String(m));
      });
      return log.state === "ready";
    },
    note: (m: string): void => {
      ringWrite(log._ring, "[note] " + m + "\n");
    },
    list: (): void => run(FirmwareFile.Read, 0, 0, 0, cap, onData) as void,
    clear: (upto: number): void => run(FirmwareFile.Read, 1, upto, 0, cap, onData) as void,
    dump: (since: number, z: number): void => run(FirmwareFile.Read, 2, since, z, cap, onData) as void,
    stats: (): Record<string, number | string> => run(FirmwareFile.Read, 3, 0, 0, cap, onData) as Record<string, number | string>,
  };
  (global as unknown as Record<string, unknown>)["mtdoops"] = api;

  // Registering this handler silences the interpreter's own report: print it as it would.
  process.on("uncaughtException", (e: unknown) => {
    const x = e as { message?: string; stack?: string } | undefined;
    const stack = x && typeof x === "object" && x.stack ? x.stack : undefined;
    print(("Uncaught " + e + "\n" + (stack || "")).trim());
    later(() => {
      run(FirmwareFile.Write, REASON_OOPS, x && x.message !== undefined ? String(x.message) : String(e), stack);
    });
  });
  E.on("errorFlag", (flags: string[]) => {
    E.getErrorFlags(); // clears the flags, so that the next occurrence raises the event again
    // The interpreter prints "New interpreter error: ..." after this handler returns: wait
    // for that line too.
    setTimeout(later, 0, () => {
      run(FirmwareFile.Write, REASON_ERRORFLAG, "interpreter error " + flags.join(","), undefined, flags);
    });
  });
  // reset(), load(), save(), E.reboot(): the JS state is about to go. A timer would never
  // run, so the write module writes the record now (and queues no timer); the console goes
  // back to the real device first.
  E.on("kill", () => {
    if (realName && E.getConsole() === "LoopbackA") E.setConsole(realName);
    run(FirmwareFile.Write, REASON_SHUTDOWN, "shutdown");
  });
}
