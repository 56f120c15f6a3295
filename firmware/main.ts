// The device platform layer's entry, and the resident part of the firmware (Storage .boot0):
// start() makes the console ring, the board's flash backend and the log's platform
// (logOptions), has the mount module make the log (its state and its record buffer) and
// mount it, then starts the console capture and installs
// the dump path, the hooks and the global `mtdoops`. The build (scripts/build-firmware.ts)
// makes one bundle per board whose entry calls start() with the board's geometry.
//
// The write path is resident and allocates at boot what a dump needs, as Linux's mtdoops
// allocates its buffer at init: a panic loads nothing and runs no byte loop. Code that runs
// once per boot (the mount) or per host command (the retrieval) lives in Storage modules,
// loaded when it runs and dropped after (docs/FIRMWARE.md, "Files"). Every resident
// function costs RAM for as long as the firmware runs, whatever its size, and every byte the
// boot lexes (.boot0, and the loader at the end of .mtdcore, which makes the resident
// functions from slices of the file without lexing them: scripts/slice-resident.ts) costs
// time at each boot (docs/FOOTPRINT.md).
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
import type { BoardDefinition } from "../src/boards/schema.js";
import type { LogOptions } from "../src/core/log-core.js";
import { admission } from "../src/core/log-core.js";
import { Reason } from "../src/core/record.js";
import type { Ring } from "../src/core/ring.js";
import { install, record } from "./api.js";
import { captureConsole } from "./console.js";
import type { DeviceLog } from "./env.js";
import { logOptions, openFlash } from "./env.js";
import { runModule } from "./modules.js";

/**
 * What the mount module returns: false when the log must not start, else the log it made
 * and mounted, with the reset reason and its flags when the reset needs a record.
 */
type Mounted = false | [DeviceLog, string?, number?];

export function start(board: BoardDefinition): void {
  const t0 = getTime();
  const ring: Ring = { _buf: new Uint8Array(board.ringSize), _head: 0, length: 0, written: 0 };
  let options: LogOptions;
  try {
    options = logOptions(board, openFlash(board), ring, t0);
  } catch (e) {
    print("mtdoops: " + ((e as Error).message || e) + "; not started");
    return;
  }
  const r = runModule(FirmwareFile.Mount, options) as Mounted;
  if (!r) {
    print("mtdoops: not started");
    return;
  }
  const log = r[0];
  captureConsole(ring);
  install(log);
  if (r[1] && !admission(log, Reason.REBOOT))
    record(log, Reason.REBOOT, "reset: " + r[1], undefined, undefined, r[1], r[2]);
}
