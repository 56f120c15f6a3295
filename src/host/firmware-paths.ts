// Where a board's firmware files lie on disk: the build writes the resident bundle
// firmware/dist/<board>.js and its modules beside it, one per Storage file
// (src/boards/firmware-files.ts). The uploader (espruino-tools.ts) and the virtual board
// both find them here. Host-only (node:fs).

import { existsSync } from "node:fs";
import { FirmwareFile, FIRMWARE_FILES } from "../boards/firmware-files.js";

/**
 * The firmware files of `bundle` (the path of a board's .boot0 file, "<board>.js") that
 * exist: [Storage name, path], in FIRMWARE_FILES order (.boot0 first).
 */
export function firmwareFilePaths(bundle: string): Array<[string, string]> {
  const base = bundle.replace(/\.js$/, "");
  const out: Array<[string, string]> = [];
  for (const [name, suffix] of FIRMWARE_FILES) {
    const path = name === FirmwareFile.Boot ? bundle : base + suffix;
    if (existsSync(path)) out.push([name, path]);
  }
  return out;
}
