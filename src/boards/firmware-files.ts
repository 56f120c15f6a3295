// The Storage files a board's firmware consists of (docs/FIRMWARE.md, "Files"), shared by
// the firmware, the build, the uploader and the virtual board. Device code.

/**
 * The Storage names. An enum, not string constants: esbuild writes an enum member's value
 * where it is used, where a module-level string constant would be one more variable
 * holding RAM on the board for as long as the firmware runs (docs/FOOTPRINT.md).
 */
export enum FirmwareFile {
  /** Runs at every boot: one line that runs FirmwareFile.Core (bootStub()). */
  Boot = ".boot0",
  /** The resident part (console ring and capture, the log's state and write path, hooks, the `mtdoops` object), run at every boot by FirmwareFile.Boot. */
  Core = ".mtdcore",
  /** Loaded once at boot and dropped: partition check, block-file repair, mount, crash-loop guard, reset reason. */
  Mount = ".mtdmount",
  /** Loaded when the host calls mtdoops.list/dump/clear/stats, and dropped after. */
  Read = ".mtdread",
}

/** What the resident API asks the retrieval module (FirmwareFile.Read) for. */
export enum ReadCommand {
  List = 0,
  Clear = 1,
  Dump = 2,
  Stats = 3,
}

/** [Storage name, suffix of firmware/dist/<board><suffix>] for each file. */
export const FIRMWARE_FILES: Array<[string, string]> = [
  [FirmwareFile.Boot, ".js"],
  [FirmwareFile.Core, ".core.js"],
  [FirmwareFile.Mount, ".mount.js"],
  [FirmwareFile.Read, ".read.js"],
];

/**
 * The statements a host runs, one console line each (silently: after DLE), before it writes
 * or erases the firmware files on a board where the logger may run (the page's installer,
 * `mtdoops flash`). Where Storage is not memory-mapped (Bangle.js 2's SPI flash, the Linux
 * build), functions keep reading their code from the Storage file they were defined in:
 * rewriting the resident code's file under the running logger made its print wrapper, and so every answer the
 * host waits for, fail with "Function code is null, not a string".
 *
 * The first reset() ends the app as any upload does (its "kill" handlers run, and the
 * logger records the shutdown); reset() runs the boot files again but not the saved app, so
 * the second line meets only the boot files' code. It drops their "kill" handlers (the
 * logger's would run from the erased file), erases the boot file and resets again: nothing
 * of the logger runs after that. The partition's records are not touched.
 */
export const STOP_LOGGER: readonly string[] = [
  "reset()",
  'E.removeAllListeners("kill");require("Storage").erase("' + FirmwareFile.Boot + '");reset()',
];

/**
 * The boot file: runs the loader at the end of the resident code, FirmwareFile.Core, as the
 * body of a function made by `Function` from a slice of the Storage file (src/jswrap_functions.c
 * keeps the code string as it is and parses it only when called; `substr` of a flash string
 * copies nothing). The loader makes the resident functions from slices of the same file,
 * without lexing them (scripts/slice-resident.ts). `loaderStart` and `length` are the build's:
 * a core file of another length is from another build, and is said, not run, as a missing
 * one is. An immediately called function expression in .boot0 would be lexed twice at every
 * boot, once to find its end and once to run it (docs/FOOTPRINT.md).
 */
export function bootStub(loaderStart: number, length: number): string {
  return (
    "(function(c){c&&c.length==" +
    length +
    '?Function("c",c.substr(' +
    loaderStart +
    '))(c):print("mtdoops: ' +
    FirmwareFile.Core +
    ' is missing or from another build; not started")})(require("Storage").read("' +
    FirmwareFile.Core +
    '"));\n'
  );
}
