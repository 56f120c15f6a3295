// The device platform layer's entry, and the resident part of the firmware (Storage .boot0):
// start() makes the console ring, has the mount module make and mount the log, starts the
// console capture, installs the dump hooks and the global `mtdoops`. The build
// (scripts/build-firmware.ts) makes one bundle per board whose entry calls start() with the
// ring size.
//
// Everything else is in Storage modules, loaded when it runs and dropped after
// (docs/FIRMWARE.md, "Files"): the mount (mount.ts, once per boot), the write path
// (write.ts, per dump), the retrieval (retrieve.ts, per host command). What stays in RAM
// is the ring, the log's state (a plain object, no functions), the capture, three hooks,
// the `mtdoops` object and run(): every function here costs RAM for as long as the
// firmware runs, whatever its size (docs/FOOTPRINT.md).
//
// Build-time constants (esbuild --define), all optional:
//   MTDOOPS_VERSION  the library version recorded in every context ("dev" without it);
//   MTDOOPS_BOARD    the board's id, recorded in every context and in the dump's BEGIN line;
//   MTDOOPS_BACKEND  the board's backend ("flash" | "spinor" | "storage"): with it the
//                    bundler drops the two backends the board does not use (env.ts);
//   MTDOOPS_RESET    the board's resetReason ("nrf52" | "esp8266" | "none"), likewise
//                    (mount.ts).
// Device code (docs/DIALECT.md).

import { FirmwareFile } from "../src/boards/firmware-files.js";
import { REASON_REBOOT } from "../src/core/record.js";
import type { Ring } from "../src/core/ring.js";
import { install } from "./api.js";
import { cap, grab, onBle, onData } from "./console.js";
import type { DeviceLog } from "./env.js";

/** The mount module's entry (mount.ts): the log and the reset reason, or undefined when it did not start. */
type Mount = (log: undefined, ring: Ring, t0: number) => [DeviceLog, string?, number?] | undefined;

/** A module's entry, as run() calls it: the log's state, then the call's own arguments. */
type Module = (log: unknown, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown) => unknown;

/** The log's state, made by the mount module. */
let log: DeviceLog | undefined;

/**
 * Loads the Storage module `file`, calls it with the log's state and the arguments, and
 * drops it: what it made is freed when it returns (a timer it set holds it until then).
 * A module that is missing, or that cannot load or run (out of memory: loading the write
 * module takes about 300 JsVars, docs/FOOTPRINT.md), prints MTDOOPS:ERROR and gives false:
 * a dump hook must not throw, or its own failure would be the next uncaught exception.
 */
export function run(file: string, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown): unknown {
  // require and eval through `global`, so that the bundler leaves them alone.
  const g = global as unknown as { require: (n: string) => StorageModule; eval: (code: string) => Module };
  try {
    const code = g.require("Storage").read(file);
    if (code === undefined) throw new Error(file + " missing");
    return g.eval(code)(log, a, b, c, d, e, f);
  } catch (x) {
    print("MTDOOPS:ERROR " + ((x as Error).message || x));
    return false;
  }
}

export function start(board: { ringSize: number }): void {
  const ring: Ring = { _buf: new Uint8Array(board.ringSize), _head: 0, length: 0, written: 0 };
  // Undefined when the mount module printed why the log does not start, false when run()
  // printed that the module is missing or failed.
  const r = run(FirmwareFile.Mount, ring, getTime()) as ReturnType<Mount> | false;
  if (r === false) print("mtdoops: not started");
  if (!r) return;
  log = r[0];
  // The console capture (console.ts); nothing to capture without the loopback devices.
  cap.ring = ring;
  if (typeof LoopbackA !== "undefined") {
    LoopbackB.on("data", onData);
    grab();
    // The console moves by itself on a new connection: take it back (console.ts).
    if (typeof NRF !== "undefined") {
      NRF.on("connect", onBle);
      NRF.on("disconnect", onBle);
    } else setInterval(grab, 5000);
    // At power-on the console can still be in "Limbo" for a second.
    if (!cap.real) setTimeout(grab, 1500);
  }
  install(log);
  if (r[1]) run(FirmwareFile.Write, REASON_REBOOT, "reset: " + r[1], undefined, undefined, r[1], r[2]);
}
