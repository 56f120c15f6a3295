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

/**
 * Makes esbuild's ESM output of a module whose only export is its default into one
 * expression, `(function(){...;return f})()`, whose value eval() returns (lib() in
 * firmware/flash-util.ts). Host code (the builds).
 */
export function wrapModule(esm: string): string {
  const m = /export\s*\{\s*([\w$]+)\s+as\s+default\s*\};?\s*$/.exec(esm);
  if (!m) throw new Error("module output has no single default export");
  return "(function(){" + esm.slice(0, m.index).trimEnd() + "\nreturn " + m[1] + "})()\n";
}
