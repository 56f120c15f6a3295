// The boot-time module (Storage file FirmwareFile.Mount, src/boards/firmware-files.ts): the
// partition check, making the log, the block-file repair, the mount with the crash-loop
// guard, and the reset reason. The resident code (main.ts) loads it at boot, calls it once
// with the log's options and drops it, so that none of its code stays in RAM; the log it
// made (plain data) does.
// Device code (docs/DIALECT.md).
//
// The build binds the board to the entry (moduleEntrySource in src/boards/firmware-build.ts),
// with its reserved areas, which only the partition check reads.

import type { BoardDefinition } from "../src/boards/schema.js";
import type { LogCore, LogOptions } from "../src/core/log-core.js";
import { createLog } from "../src/core/log-core.js";
import { mountLog } from "../src/core/log-mount.js";
import { readRaw } from "../src/core/log-read.js";
import { getU32, Flags, Reason } from "../src/core/record.js";
import type { DeviceLog } from "./env.js";
import { repairBlockFiles, storageBackend } from "./flash-storage.js";

declare const MTDOOPS_BACKEND: string;
declare const MTDOOPS_RESET: string;

/** The board file's reserved areas. */
type Reserved = NonNullable<BoardDefinition["reserved"]>;

const hex = (n: number): string => "0x" + n.toString(16);

/**
 * For a raw internal-flash partition: the name of what it overlaps (Storage, the firmware
 * image, an area the board file reserves), or "".
 */
export function partitionConflict(b: BoardDefinition, r: Reserved): string {
  const s = b.start;
  const e = s + b.size;
  const m = process.memory(false);
  const st = process.env.STORAGE;
  const areas: Array<[string, number, number]> = [];
  // The firmware image ends at flash_binary_end; it starts at the board file's "firmware"
  // area where it has one (STM32 boards: after Storage), else at the start of flash.
  let fw = m.flash_start || 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i] as { name: string; start: number; end: number };
    areas.push([x.name, x.start, x.end]);
    if (/firmware/i.test(x.name)) fw = x.start;
  }
  if (m.flash_code_start !== undefined && st)
    areas.push(["Storage", m.flash_code_start, m.flash_code_start + st]);
  if (m.flash_binary_end !== undefined) areas.push(["the firmware", fw, m.flash_binary_end]);
  for (let i = 0; i < areas.length; i++) {
    const a = areas[i] as [string, number, number];
    if (s < a[2] && a[1] < e) return a[0] + " (" + hex(a[1]) + "-" + hex(a[2]) + ")";
  }
  return "";
}

/** nRF52 POWER->RESETREAS: bits accumulate until written back as 1. */
const RESETREAS = 0x40000400;

/**
 * The reset reason as [text, flags], or null when the reset needs no record: power-on,
 * reset pin, wake from System OFF, a requested restart, or a board that cannot tell.
 */
export function resetReason(kind: string, log: LogCore): [string, number] | null {
  // The board's kind, spelled out at each test (as mount() does for the backend), so that
  // esbuild folds the tests and drops the other boards' branches from each board's module.
  if ((typeof MTDOOPS_RESET === "string" ? MTDOOPS_RESET : kind) === "nrf52") {
    const r = peek32(RESETREAS);
    poke32(RESETREAS, r);
    if (r & 2) return ["watchdog", Flags.UNEXPECTED];
    if (r & 8) return ["lockup", Flags.UNEXPECTED];
    if (r & 4) {
      // System reset request: E.reboot() (whose 'kill' wrote a shutdown record as the
      // previous boot's last record), or the firmware's own fault handler ("NRF ERROR ...
      // REBOOTING").
      const prev = readRaw(log, (log.nextSlot + log.slots - 1) % log.slots);
      const asked =
        prev && prev[26] === Reason.SHUTDOWN && getU32(prev, 32) === (log.boot - 1) >>> 0;
      return asked ? null : ["system reset request", 0];
    }
    return null;
  }
  if ((typeof MTDOOPS_RESET === "string" ? MTDOOPS_RESET : kind) === "esp8266") {
    const i = ESP8266.getResetInfo();
    if (/wdt|exception/.test(i.reason))
      return [
        i.reason + (i.exccause !== undefined ? " exccause " + i.exccause + " epc1 " + i.epc1 : ""),
        Flags.UNEXPECTED,
      ];
  }
  return null;
}

/**
 * Checks the partition (backend "flash") or repairs the block files (backend "storage"),
 * makes the log from `options` (the resident platform: backend, ring, clock, scheduler) and
 * mounts it. Returns false when the firmware must not start (the reason is printed), else
 * the log, with the reset reason and its flags when the reset needs a record. A mount that fails leaves the log "failed": the firmware runs, and every dump
 * counts as lost. Called as every module is (modules.ts runModule()).
 */
export default function mount(
  b: BoardDefinition,
  options: LogOptions,
): false | [DeviceLog, string?, number?] {
  // Spelled out at each use, so that esbuild folds the board's backend and drops the rest.
  const clash =
    (typeof MTDOOPS_BACKEND === "string" ? MTDOOPS_BACKEND : b.backend) === "flash"
      ? partitionConflict(b, b.reserved || [])
      : "";
  if (clash) {
    print(
      "mtdoops: partition " +
        hex(b.start) +
        "-" +
        hex(b.start + b.size) +
        " overlaps " +
        clash +
        "; not started",
    );
    return false;
  }
  // The log is made here rather than in the resident code: what makes it runs once.
  const log = createLog(options) as DeviceLog;
  let reset: [string, number] | null = null;
  // The mount reads through this module's own copy of the storage backend, which keeps
  // each block file it found (flash-storage.ts): the resident copy's code runs from
  // Storage, where it is slow when Storage is not memory-mapped, while this module runs
  // from RAM when there is room (modules.ts runModule()).
  const resident = log.flash;
  try {
    if ((typeof MTDOOPS_BACKEND === "string" ? MTDOOPS_BACKEND : b.backend) === "storage") {
      // The geometry from the resident backend: the build binds only the board fields this
      // module reads (moduleEntrySource), and boardGeometry() reads them all.
      const prefix = b.storagePrefix || "mtdoops";
      const own = storageBackend(resident.geometry, prefix);
      own._f = [];
      repairBlockFiles(own, prefix);
      log.flash = own;
    }
    mountLog(log);
    if (log.state === "ready")
      reset = resetReason(typeof MTDOOPS_RESET === "string" ? MTDOOPS_RESET : b.resetReason, log);
  } catch (e) {
    log.state = "failed";
    print("mtdoops: mount failed: " + ((e as Error).message || e));
  }
  log.flash = resident;
  return reset ? [log, reset[0], reset[1]] : [log];
}
