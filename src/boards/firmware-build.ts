// Host-side helpers of the firmware build (scripts/build-firmware.ts, the one build the
// CLI, the virtual board and the tests use). Not device code, and kept out of
// src/boards/firmware-files.ts, which the firmware imports: the property-name analysis
// (scripts/mangle-names.ts) reads every file the firmware imports, and the field names
// listed here would then keep their spelling.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FirmwareFile } from "./firmware-files.js";
import type { BoardDefinition } from "./schema.js";

/** The package version recorded in every record's context ("dev" when unreadable). */
export function packageVersionAt(root: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "dev";
  } catch {
    return "dev";
  }
}

/**
 * The esbuild options every firmware file of a board is built with: bundled, ES2015 (what
 * the interpreter runs), minified, tsconfig.json without "use strict" (a directive that means nothing to Espruino
 * and costs 13 bytes) and with useDefineForClassFields off (class fields as plain
 * constructor assignments, not __publicField helpers), and the board's constants defined
 * (firmware/main.ts) so that the backends and reset-reason readers the board does not use
 * are dropped and the device-side configuration checks left out (the build validated the
 * board). The caller adds the entry, the format and the property mangling.
 */
export function firmwareEsbuildOptions(root: string, board: BoardDefinition) {
  const ts = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")) as {
    compilerOptions?: Record<string, unknown>;
  };
  return {
    bundle: true,
    write: false,
    target: "es2015",
    platform: "neutral",
    minify: true,
    treeShaking: true,
    legalComments: "none",
    charset: "ascii",
    tsconfigRaw: {
      compilerOptions: {
        ...ts.compilerOptions,
        alwaysStrict: false,
        useDefineForClassFields: false,
      },
    },
    define: {
      MTDOOPS_VERSION: JSON.stringify(packageVersionAt(root)),
      MTDOOPS_BOARD: JSON.stringify(board.id),
      MTDOOPS_BACKEND: JSON.stringify(board.backend),
      MTDOOPS_RESET: JSON.stringify(board.resetReason),
      MTDOOPS_DEVICE: "true",
    },
    metafile: true,
    logLevel: "silent",
  } as const;
}

/**
 * Makes esbuild's ESM output of a module whose only export is its default into one
 * expression, `(function(){...;return f})()`, whose value eval() returns (run() in
 * firmware/main.ts). Host code (the builds).
 */
export function wrapModule(esm: string): string {
  const m = /export\s*\{\s*([\w$]+)\s+as\s+default\s*\};?\s*$/.exec(esm);
  if (!m) throw new Error("module output has no single default export");
  return "(function(){" + esm.slice(0, m.index).trimEnd() + "\nreturn " + m[1] + "})()\n";
}

/**
 * The board fields baked into .boot0: what the flash backend, the log and the ring are made
 * from at boot. Every field costs JsVars on the board while start() runs (the board object
 * is dropped after; the backend keeps its geometry). Host code (the builds).
 */
export const RESIDENT_FIELDS = [
  "id",
  "backend",
  "start",
  "size",
  "eraseSize",
  "progUnit",
  "pageSize",
  "recordSize",
  "ringSize",
  "storagePrefix",
  "spi",
] as const;

/**
 * The board fields bound to each module's entry (moduleEntrySource). The mount module
 * gets what its partition check and block-file repair read; the retrieval reads none (the
 * log it is given is configured).
 */
export const MODULE_FIELDS: Record<string, readonly string[]> = {
  [FirmwareFile.Mount]: [
    "id",
    "backend",
    "start",
    "size",
    "storagePrefix",
    "resetReason",
    "reserved",
  ],
  [FirmwareFile.Read]: [],
};

/** The firmware modules loaded on demand: [Storage name, file suffix, source in firmware/]. */
export const FIRMWARE_MODULES: Array<[string, string, string]> = [
  [FirmwareFile.Mount, ".mount.js", "mount.ts"],
  [FirmwareFile.Read, ".read.js", "read.ts"],
];

/** `fields` of `board`, as the JSON a generated entry bakes in. */
export function pickFields(
  board: BoardDefinition,
  fields: readonly string[],
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  const src = board as unknown as Record<string, unknown>;
  for (const k of fields) if (src[k] !== undefined) copy[k] = src[k];
  return copy;
}

/** The board JSON baked into .boot0: RESIDENT_FIELDS of `board`. */
export function residentBoard(board: BoardDefinition): Partial<BoardDefinition> {
  return pickFields(board, RESIDENT_FIELDS) as Partial<BoardDefinition>;
}

/**
 * The generated entry of a module: its default export with the board (MODULE_FIELDS)
 * bound as the first argument, so that the resident part holds no board object.
 */
export function moduleEntrySource(src: string, storage: string, board: BoardDefinition): string {
  const b = pickFields(board, MODULE_FIELDS[storage] || []);
  if (storage === FirmwareFile.Mount) b["reserved"] = board.reserved || [];
  return (
    "import m from " +
    JSON.stringify(src.split("\\").join("/")) +
    ";\nexport default m.bind(null, " +
    JSON.stringify(b) +
    ");\n"
  );
}
