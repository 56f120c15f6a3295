// The firmware manifest the web page installs from: per board, what the page shows and its
// Storage files in the build's order. scripts/web-firmware.ts writes it (from the firmware
// build, at the page's build time), src/web/firmware-manifest.ts reads it; this is the one
// statement of its shape for both.

import type { BoardDefinition } from "./schema.js";

export interface FirmwareFileEntry {
  /** The Storage file name. */
  storage: string;
  code: string;
  bytes: number;
}

/** One board as the page shows and installs it. */
export interface FirmwareBoard {
  id: string;
  name: string;
  backend: string;
  recordSize: number;
  size: number;
  eraseSize: number;
  storagePrefix?: string | undefined;
  /** The board's firmware files in the build's order (the boot file first). */
  files: FirmwareFileEntry[];
}

export interface FirmwareManifest {
  /** package.json's version. */
  version: string;
  boards: FirmwareBoard[];
}

/** The manifest entry of `board`, whose build produced `files`. */
export function manifestBoard(
  board: BoardDefinition,
  files: readonly FirmwareFileEntry[],
): FirmwareBoard {
  return {
    id: board.id,
    name: board.name,
    backend: board.backend,
    recordSize: board.recordSize,
    size: board.size,
    eraseSize: board.eraseSize,
    storagePrefix: board.storagePrefix,
    files: files.map((f) => ({ storage: f.storage, code: f.code, bytes: f.bytes })),
  };
}
