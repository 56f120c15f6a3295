// The global `mtdoops` object: the device-side commands (docs/FIRMWARE.md, SPEC.md §7).
// list, dump, clear and stats load the retrieval module (retrieve.ts, Storage file READ_FILE)
// for the call and drop it after. Device code.

import type { BoardDefinition } from "../src/boards/schema.js";
import { READ_FILE } from "../src/boards/firmware-files.js";
import type { LogCore } from "../src/core/log-core.js";
import { REASON_OOPS } from "../src/core/record.js";
import type { ConsoleRing } from "../src/core/ring.js";
import type { Capture } from "./console.js";
import type { ContextFn } from "./context.js";
import { LIB } from "./context.js";
import { lib } from "./flash-util.js";

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
  b: BoardDefinition,
  log: LogCore,
  ring: ConsoleRing,
  cap: Capture,
  ctx: ContextFn,
  compress: (d: Uint8Array) => Uint8Array,
): MtdoopsApi {
  // what: 0 list, 1 clear, 2 dump, 3 stats (retrieve.ts).
  const call = (what: number, a: number, z: number): unknown => {
    let f: Retrieve;
    try {
      f = lib<Retrieve>(READ_FILE);
    } catch (e) {
      return cap.out("MTDOOPS:ERROR " + (e as Error).message);
    }
    return f(what, a, z, log, cap, compress, b.id, ring);
  };
  return {
    version: LIB,
    panic: (m: string): boolean => log.panic(ctx(String(m))),
    oops: (m: string): boolean => {
      cap.later(() => {
        log.dump(REASON_OOPS, ctx(String(m)));
      });
      return log.state === "ready";
    },
    note: (m: string): void => {
      ring.writeString("[note] " + m + "\n");
    },
    list: (): void => call(0, 0, 0) as void,
    clear: (upto: number): void => call(1, upto, 0) as void,
    dump: (since: number, z: number): void => call(2, since, z) as void,
    stats: (): Record<string, number | string> => call(3, 0, 0) as Record<string, number | string>,
  };
}
