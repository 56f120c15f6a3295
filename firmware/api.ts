// The global `mtdoops` object: the device-side commands (docs/FIRMWARE.md, SPEC.md §7).
// list, dump, clear and stats load the retrieval module (retrieve.ts, Storage file READ_FILE)
// for the call and drop it after. Device code.

import { READ_FILE } from "../src/boards/firmware-files.js";
import type { LogCore } from "../src/core/log-core.js";
import { REASON_OOPS, REASON_PANIC } from "../src/core/record.js";
import type { ConsoleRing } from "../src/core/ring.js";
import { later, out, quiet } from "./console.js";
import { context, LIB } from "./context.js";
import { lib } from "./flash-util.js";

declare const print: (s: string) => void;

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

// The signature of the .mtdread module's entry: a type only, so nothing of it is bundled here.
type Retrieve = typeof import("./retrieve.js").default;

export function makeApi(
  log: LogCore,
  ring: ConsoleRing,
  compress: (d: Uint8Array) => Uint8Array,
): MtdoopsApi {
  // what: 0 list, 1 clear, 2 dump, 3 stats (retrieve.ts).
  const call = (what: number, a: number, z: number): unknown => {
    let f: Retrieve;
    try {
      f = lib<Retrieve>(READ_FILE);
    } catch (e) {
      return print("MTDOOPS:ERROR " + (e as Error).message);
    }
    return f(what, a, z, log, compress, ring, out, quiet);
  };
  return {
    version: LIB,
    panic: (m: string): boolean => log.dump(REASON_PANIC, context(log, String(m))),
    oops: (m: string): boolean => {
      later(() => {
        log.dump(REASON_OOPS, context(log, String(m)));
      });
      return log.state === "ready";
    },
    note: (m: string): void => {
      ring.write("[note] " + m + "\n");
    },
    list: (): void => call(0, 0, 0) as void,
    clear: (upto: number): void => call(1, upto, 0) as void,
    dump: (since: number, z: number): void => call(2, since, z) as void,
    stats: (): Record<string, number | string> => call(3, 0, 0) as Record<string, number | string>,
  };
}
