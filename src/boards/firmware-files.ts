// The Storage files a board's firmware consists of (docs/FIRMWARE.md, "Files"), shared by
// the firmware, the build, the uploader and the virtual board. Device code.

/**
 * The Storage names. An enum, not string constants: esbuild writes an enum member's value
 * where it is used, where a module-level string constant would be one more variable
 * holding RAM on the board for as long as the firmware runs (docs/FOOTPRINT.md).
 */
export enum FirmwareFile {
  /** Runs at every boot: the resident part (console ring and capture, the log's state and write path, hooks, the `mtdoops` object). */
  Boot = ".boot0",
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
  [FirmwareFile.Mount, ".mount.js"],
  [FirmwareFile.Read, ".read.js"],
];
