// The device platform layer's entry: start(board) builds the flash backend, the console
// ring and capture, the CrashLog, mounts it, installs the dump hooks and the global
// `mtdoops`. The build (scripts/build-firmware.ts) makes one bundle per board whose entry
// calls start() with the board's JSON. Device code (docs/DIALECT.md).
//
// Build-time constants (esbuild --define), all optional:
//   MTDOOPS_VERSION  the library version recorded in every context ("dev" without it);
//   MTDOOPS_BOARD    the board's id, recorded in every context and in the dump's BEGIN line;
//   MTDOOPS_BACKEND  the board's backend ("flash" | "spinor" | "storage"): with it the
//                    bundler drops the two backends the board does not use;
//   MTDOOPS_RESET    the board's resetReason ("nrf52" | "esp8266" | "none"), likewise
//                    (read by mount.ts).
//
// This is the resident part (Storage .boot0). The boot-time work (partition check, mount,
// reset reason) is in mount.ts and the retrieval in retrieve.ts, each built as its own
// Storage file (src/boards/firmware-files.ts) and loaded only while it runs.

// What stays in RAM is every module-level function of this bundle and what start() leaves
// reachable (docs/FOOTPRINT.md): start() creates no closure, so its own scope (the board
// object, the mount module) is freed when it returns.

import type { BoardDefinition } from "../src/boards/schema.js";
import { MOUNT_FILE } from "../src/boards/firmware-files.js";
import { LogCore } from "../src/core/log-core.js";
import { REASON_REBOOT } from "../src/core/record.js";
import { ConsoleRing } from "../src/core/ring.js";
import { makeApi } from "./api.js";
import { startCapture } from "./console.js";
import { context } from "./context.js";
import type { EspE, EspHeatshrink } from "./espruino.js";
import { internalFlash } from "./flash-internal.js";
import { spiNorFlash } from "./flash-spinor.js";
import { storageFlash } from "./flash-storage.js";
import { builtin, lib } from "./flash-util.js";
import { installHooks } from "./hooks.js";

declare const E: EspE;
declare const print: (s: string) => void;
declare const getTime: () => number;
declare const MTDOOPS_BACKEND: string;

/** mount.ts: mount(board) is the partition check, mount(board, log) mounts. */
type MountFn = (b: BoardDefinition, log?: LogCore) => string | [string, number] | null;

let hs: EspHeatshrink | undefined;
let t0 = 0;

/**
 * heatshrink, for records and dumps that do not fit plain. Output that the board's own
 * decompress() does not restore exactly (the driver can drop the final byte) is refused:
 * the caller then stores or sends it plain.
 */
function compress(d: Uint8Array): Uint8Array {
  if (!hs) throw new Error("no heatshrink");
  const c = new Uint8Array(hs.compress(d));
  if (hs.decompress(c).byteLength !== d.length) throw new Error("heatshrink");
  return c;
}

/** Milliseconds since start(). */
function uptime(): number {
  return (getTime() - t0) * 1000;
}

export function start(board: BoardDefinition): void {
  // The boot-time module (mount.ts): partition check, mount, reset reason. Dropped below.
  let once: MountFn | undefined;
  try {
    once = lib<MountFn>(MOUNT_FILE);
  } catch (e) {
    print("mtdoops: " + (e as Error).message + "; not started");
    return;
  }
  const clash = once(board);
  if (clash) {
    print(clash as string);
    return;
  }
  try {
    hs = builtin<EspHeatshrink>("heatshrink");
  } catch (e) {
    hs = undefined;
  }
  t0 = getTime();
  const ring = new ConsoleRing(board.ringSize);
  // Written out in full (not through a variable) so that esbuild can fold them and drop the
  // backends the board does not use.
  let log: LogCore;
  try {
    log = new LogCore({
      flash:
        (typeof MTDOOPS_BACKEND === "string" ? MTDOOPS_BACKEND : board.backend) === "flash"
          ? internalFlash(board)
          : (typeof MTDOOPS_BACKEND === "string" ? MTDOOPS_BACKEND : board.backend) === "spinor"
            ? spiNorFlash(board)
            : storageFlash(board),
      recordSize: board.recordSize,
      // Espruino's own functions, not wrappers: a closure costs JsVars for as long as it
      // lives. setTimeout passes its third argument on; Date.now() before 2020 reads as
      // "time unknown" to the log.
      scheduler: { defer: setTimeout },
      clock: { now: Date.now, uptime: uptime },
      ring: ring,
      crc32: E.CRC32,
      compress: compress,
    });
  } catch (e) {
    print("mtdoops: " + ((e as Error).message || e) + "; not started");
    return;
  }
  let reset: string | [string, number] | null = null;
  try {
    reset = once(board, log);
  } catch (e) {
    log.state = "failed";
    print("mtdoops: mount failed: " + ((e as Error).message || e));
  }
  // eslint-disable-next-line no-useless-assignment -- read by the garbage collector
  once = undefined;
  startCapture(ring);
  (global as unknown as Record<string, unknown>)["mtdoops"] = makeApi(log, ring, compress);
  installHooks(log);
  if (reset && log.state === "ready")
    log.dump(
      REASON_REBOOT,
      context(log, "reset: " + reset[0], undefined, undefined, reset[0] as string),
      reset[1] as number,
    );
}
