// What the firmware tests share: the firmware files as users install them, and a test
// board with the SPI NOR backend.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BoardDefinition } from "../../src/boards/schema.js";
import { buildBoard, storageFiles } from "../../scripts/build-firmware.js";
import { repoRoot } from "../../src/host/repo.js";

/** A firmware source's path as an import specifier for a stand-in entry. */
export function firmwareImport(file: string): string {
  return JSON.stringify(join(repoRoot(), "firmware", file).split("\\").join("/"));
}

/**
 * Parts of the firmware as the one build bundles them (scripts/build-firmware.ts), from a
 * stand-in entry (`source`, a module exporting start(board)) that hands them to the test
 * instead of starting the logger. Property names are left as they are, since the test
 * calls them from outside the bundle.
 */
export async function standInBundle(board: BoardDefinition, source: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "mtdoops-stand-in-"));
  try {
    const entry = join(dir, "stand-in-entry.ts");
    writeFileSync(entry, source);
    const b = await buildBoard(board, {
      entry,
      write: false,
      mangle: "off",
      modules: false,
      dialect: false,
      budget: 1 << 20,
    });
    return b.code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A stand-in bundle (standInBundle) that hands the firmware's compressor (the `compress` of
 * firmware/env.ts logOptions) to the test as the global `__compress`.
 */
export function compressorBundle(board: BoardDefinition): Promise<string> {
  return standInBundle(
    board,
    "import { logOptions } from " +
      firmwareImport("env.ts") +
      ";\n" +
      "export function start(board: any): void {\n" +
      "  (global as any)['__compress'] = logOptions(board, null as any, null as any, 0).compress;\n" +
      "}\n",
  );
}

/** The files the firmware build makes for a board (scripts/build-firmware.ts, names mangled): Storage name -> code. */
export async function buildFirmwareBundle(b: BoardDefinition): Promise<Record<string, string>> {
  return storageFiles(await buildBoard(b, { write: false, dialect: false }));
}

/** A W25Q128 on an SPI bus: the "spinor" backend (no board file uses it yet). */
export const SPINOR_BOARD: BoardDefinition = {
  id: "w25qtest",
  name: "Test board with a W25Q128 on SPI",
  backend: "spinor",
  start: 0x100000,
  size: 32768,
  eraseSize: 4096,
  progUnit: 1,
  pageSize: 256,
  recordSize: 1024,
  ringSize: 2048,
  part: "w25q128jv",
  jsvars: 5100,
  resetReason: "none",
  spi: { cs: "B2", sck: "A5", mosi: "A7", miso: "A6", baud: 4000000 },
  chip: { start: 0, size: 0x1000000 },
  sources: {},
};
