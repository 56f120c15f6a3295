// The Storage files a board's firmware consists of (docs/FIRMWARE.md, "Files"), shared by
// the firmware, the build, the uploader and the virtual board. Device code.

/** Runs at every boot: the resident part (console capture, hooks, the log's write path). */
export const BOOT_FILE = ".boot0";
/** Loaded once at boot and dropped: partition check, mount, crash-loop guard, reset reason. */
export const MOUNT_FILE = ".mtdmount";
/** Loaded when the host calls mtdoops.list/dump/clear, and dropped after. */
export const READ_FILE = ".mtdread";

/** [Storage name, suffix of firmware/dist/<board><suffix>] for each file. */
export const FIRMWARE_FILES: Array<[string, string]> = [
  [BOOT_FILE, ".js"],
  [MOUNT_FILE, ".mount.js"],
  [READ_FILE, ".read.js"],
];

