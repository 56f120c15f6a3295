// The firmware the page installs, put in the bundle by the Vite build (vite.config.ts runs
// scripts/web-firmware.ts, which runs the firmware build): per board, its Storage files
// (the shape: src/boards/web-firmware-manifest.ts). The page knows no file name and no file
// count: it installs and removes what is listed.

import manifest from "virtual:mtdoops-firmware";
import type { FirmwareBoard, FirmwareManifest } from "../boards/web-firmware-manifest.js";

export const firmware: FirmwareManifest = manifest as FirmwareManifest;

export function firmwareBoard(id: string): FirmwareBoard | undefined {
  return firmware.boards.find((b) => b.id === id);
}
