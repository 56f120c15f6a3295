// The firmware the page installs, put in the bundle by the Vite build (vite.config.ts runs
// scripts/web-firmware.ts, which runs the firmware build): per board, its Storage files.
// The page knows no file name and no file count: it installs and removes what is listed.

import manifest from "virtual:mtdoops-firmware";

export interface FirmwareFileEntry {
  storage: string;
  code: string;
  bytes: number;
}

export interface FirmwareBoard {
  id: string;
  name: string;
  backend: string;
  recordSize: number;
  size: number;
  eraseSize: number;
  storagePrefix?: string | undefined;
  files: FirmwareFileEntry[];
}

export interface FirmwareManifest {
  version: string;
  boards: FirmwareBoard[];
}

export const firmware: FirmwareManifest = manifest as FirmwareManifest;

export function firmwareBoard(id: string): FirmwareBoard | undefined {
  return firmware.boards.find((b) => b.id === id);
}
