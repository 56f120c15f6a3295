// Loads and validates board definitions (boards/<id>.json). Host-only (reads files with
// node:fs); the firmware build bakes the validated object into each bundle.
//
// Every field is checked, its shape against boards/board.schema.json (json-schema.ts), the
// rest below; the first problem is a BoardError naming the file and the field:
//   boards/puckjs.json: field "recordSize" must be a power of two from 64 to 4096, got 1000
// Addresses and sizes may be written as hex strings ("0x6C000") and come back as numbers.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { checkGeometry } from "../core/flash.js";
import type { BackendKind, BoardDefinition, SpiPins } from "./schema.js";
import { checkSchema } from "./json-schema.js";
import type { JsonSchema } from "./json-schema.js";
import { getPart, partNames } from "./parts.js";
import { repoRoot } from "../host/repo.js";

/** An invalid or unknown board. A plain Error with a `code`, as FlashError. */
export interface BoardError extends Error {
  code: "EBOARD";
}

export function boardError(message: string): BoardError {
  const e = new Error(message) as BoardError;
  e.code = "EBOARD";
  return e;
}

export function isBoardError(value: unknown): value is BoardError {
  return value instanceof Error && (value as Partial<BoardError>).code === "EBOARD";
}

/** The repository's boards/ directory. */
export function boardsDir(): string {
  try {
    return join(repoRoot(), "boards");
  } catch (e) {
    throw boardError("cannot find the boards/ directory: " + (e as Error).message);
  }
}

/** Ids of the boards in `dir` (default: the repository's boards/), sorted. */
export function listBoards(dir: string = boardsDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && f !== BOARD_SCHEMA_FILE)
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/**
 * Loads a board by id ("puckjs", looked up in `dir`) or by path (anything with a "/" or
 * ending in ".json"), validated. Throws a BoardError.
 */
export function loadBoard(idOrPath: string, dir: string = boardsDir()): BoardDefinition {
  const isPath = idOrPath.includes("/") || idOrPath.includes("\\") || idOrPath.endsWith(".json");
  let file: string;
  let shown: string;
  if (isPath) {
    file = resolve(idOrPath);
    shown = idOrPath;
    if (!existsSync(file)) throw boardError(shown + ": no such board file");
  } else {
    const known = listBoards(dir);
    if (!known.includes(idOrPath)) {
      throw boardError('unknown board "' + idOrPath + '"; known boards: ' + known.join(", "));
    }
    file = join(dir, idOrPath + ".json");
    shown = displayPath(file);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw boardError(shown + ": not valid JSON: " + (e instanceof Error ? e.message : String(e)));
  }
  return validateBoard(parsed, shown);
}

/** Every board in `dir`, validated (the first invalid one throws). */
export function loadAllBoards(dir: string = boardsDir()): BoardDefinition[] {
  return listBoards(dir).map((id) => loadBoard(id, dir));
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : file;
}

// ---- validation ----
//
// In two steps: the shape (which fields, their types and ranges) is boards/board.schema.json,
// which also gives editors their checking of boards/*.json; what a schema cannot say
// (powers of two, the part's units, the RAM budget, the partition inside the chip and clear
// of reserved areas, a citation for every fact) is checked here after it.

/** The board schema's file name, in boards/ beside the board files (listBoards skips it). */
export const BOARD_SCHEMA_FILE = "board.schema.json";

let boardSchema: JsonSchema | null = null;

function loadBoardSchema(): JsonSchema {
  if (!boardSchema) {
    const file = join(boardsDir(), BOARD_SCHEMA_FILE);
    try {
      boardSchema = JSON.parse(readFileSync(file, "utf8")) as JsonSchema;
    } catch (e) {
      throw boardError(displayPath(file) + ": cannot read the board schema: " + (e as Error).message);
    }
  }
  return boardSchema;
}

/** Fields whose value is a fact about the board: each needs a citation in `sources`. */
const CITED = ["start", "eraseSize", "progUnit", "pageSize", "part", "jsvars", "resetReason"];
/** Bytes of a Storage file header (JsfFileHeader: size and a 28-byte name). */
const STORAGE_FILE_HEADER = 32;
/** Storage file names have at most 28 characters (27 for StorageFile): keep to 27. */
const STORAGE_NAME_MAX = 27;

const isPow2 = (n: number): boolean => n > 0 && Number.isInteger(n) && (n & (n - 1)) === 0;
const hex = (n: number): string => "0x" + n.toString(16).toUpperCase();
const show = (v: unknown): string => (v === undefined ? "nothing" : String(JSON.stringify(v)));
/** An address or size as the schema allows it: a whole number or a hex string. */
const toNumber = (v: unknown): number => (typeof v === "string" ? parseInt(v, 16) : (v as number));

/** Bytes per JsVar for a board with `jsvars` variables (Espruino src/jsutils.h). */
export function jsvarBytes(jsvars: number): number {
  if (jsvars <= 2047) return 12;
  if (jsvars <= 8191) return 13;
  if (jsvars <= 16383) return 14;
  return 16;
}

interface Area {
  name: string;
  start: number;
  end: number;
}

/**
 * Checks a parsed board file; returns it with hex strings turned into numbers. `fileName`
 * names the file in errors ("boards/puckjs.json"); when it ends in ".json", `id` must
 * equal its base name.
 */
export function validateBoard(obj: unknown, fileName: string): BoardDefinition {
  const fail = (field: string, what: string): never => {
    throw boardError(fileName + ': field "' + field + '" ' + what);
  };
  const failGot = (field: string, what: string, got: unknown): never =>
    fail(field, what + ", got " + show(got));

  // Which fields go with which backend comes first: "spi" on a flash board is one mistake,
  // not an incomplete SPI definition.
  backendFields(obj, fail);
  const schema = loadBoardSchema();
  const problem = checkSchema(schema, obj);
  if (problem) {
    if (problem.path === "") throw boardError(fileName + ": " + problem.message);
    if (problem.showValue) failGot(problem.path, problem.message, problem.value);
    fail(problem.path, problem.message);
  }
  const o = obj as Record<string, unknown>;
  const fields = Object.keys(schema.properties ?? {}).filter((k) => k !== "$schema");

  // identity
  const id = o["id"] as string;
  if (fileName.endsWith(".json")) {
    const base = basename(fileName, ".json");
    if (base !== id) failGot("id", 'must match the file name "' + base + '"', id);
  }
  const name = o["name"] as string;
  const backend = o["backend"] as BackendKind;

  // geometry
  const eraseSize = toNumber(o["eraseSize"]);
  if (!isPow2(eraseSize) || eraseSize < 256 || eraseSize > 262144) {
    failGot("eraseSize", "must be a power of two from 256 to 262144", eraseSize);
  }
  const progUnit = o["progUnit"] as number;
  const pageSize = toNumber(o["pageSize"]);
  const size = toNumber(o["size"]);
  // Program unit, page and size: the same rules as every flash (src/core/flash.ts).
  const badGeometry = checkGeometry({ size, eraseSize, progUnit, pageSize, erasedValue: 0xff });
  if (badGeometry) {
    const space = badGeometry.indexOf(" ");
    fail(badGeometry.slice(0, space), badGeometry.slice(space + 1));
  }
  if (size / eraseSize < 2) {
    failGot("size", "must hold at least 2 erase blocks of " + eraseSize + " bytes", size);
  }
  const start = toNumber(o["start"]);
  const maxRecord = Math.min(eraseSize, 65536);
  const recordSize = toNumber(o["recordSize"]);
  if (!isPow2(recordSize) || recordSize < 64 || recordSize > maxRecord) {
    failGot("recordSize", "must be a power of two from 64 to " + maxRecord, recordSize);
  }
  const ringSize = toNumber(o["ringSize"]);
  if (ringSize < 16 || ringSize > 65536)
    failGot("ringSize", "must be from 16 to 65536 bytes", ringSize);

  // part
  const part = o["part"] as string;
  if (!partNames.includes(part)) {
    failGot("part", "must be a known flash part (" + partNames.join(", ") + ")", part);
  }
  const pg = getPart(part).geometry;
  if (backend !== "storage") {
    // A raw partition is erased and programmed in the part's own units.
    if (eraseSize % pg.eraseSize !== 0) {
      failGot(
        "eraseSize",
        "must be a multiple of part " + part + "'s erase size " + pg.eraseSize,
        eraseSize,
      );
    }
    if (progUnit % pg.progUnit !== 0) {
      failGot(
        "progUnit",
        "must be a multiple of part " + part + "'s program unit " + pg.progUnit,
        progUnit,
      );
    }
    if (backend === "spinor" && pageSize > pg.pageSize) {
      failGot(
        "pageSize",
        "must be at most part " + part + "'s program page " + pg.pageSize,
        pageSize,
      );
    }
  }

  // RAM
  const jsvars = o["jsvars"] as number;
  const ramBytes = jsvars * jsvarBytes(jsvars);
  const ramUse = ringSize + 2 * recordSize;
  if (ramUse * 8 > ramBytes) {
    fail(
      "ringSize",
      "plus twice recordSize (" +
        ramUse +
        " bytes) must be at most 1/8 of the board's " +
        ramBytes +
        " bytes of JsVars (" +
        jsvars +
        " x " +
        jsvarBytes(jsvars) +
        ")",
    );
  }
  const resetReason = o["resetReason"] as BoardDefinition["resetReason"];

  // reserved areas and chip
  let reserved: Area[] | undefined;
  if (o["reserved"] !== undefined) {
    reserved = (o["reserved"] as Array<Record<string, unknown>>).map((e, i) => {
      const rs = toNumber(e["start"]);
      const re = toNumber(e["end"]);
      if (re <= rs) failGot("reserved[" + i + "].end", "must be above start (" + hex(rs) + ")", e["end"]);
      return { name: e["name"] as string, start: rs, end: re };
    });
  }
  let chip: { start: number; size: number } | undefined;
  if (o["chip"] !== undefined) {
    const c = o["chip"] as Record<string, unknown>;
    chip = { start: toNumber(c["start"]), size: toNumber(c["size"]) };
    if (chip.size === 0) failGot("chip.size", "must be positive", c["size"]);
  }

  // backend-specific
  let storagePrefix: string | undefined;
  let spi: SpiPins | undefined;
  if (backend === "storage") {
    if (start !== 0)
      failGot("start", 'must be 0 for the "storage" backend (it has no address)', o["start"]);
    storagePrefix = o["storagePrefix"] as string;
    const blocks = size / eraseSize;
    const longest = storagePrefix + String(blocks - 1);
    if (!/^[A-Za-z0-9_.-]+$/.test(storagePrefix) || longest.length > STORAGE_NAME_MAX) {
      failGot(
        "storagePrefix",
        "must be letters, digits, _ . or -, short enough that " +
          JSON.stringify(longest) +
          " fits Storage's " +
          STORAGE_NAME_MAX +
          "-character names",
        storagePrefix,
      );
    }
    const storageArea = reserved ? reserved.find((r) => r.name === "Storage") : undefined;
    const need = blocks * (eraseSize + STORAGE_FILE_HEADER);
    if (storageArea && need * 2 > storageArea.end - storageArea.start) {
      failGot(
        "size",
        "needs " +
          need +
          " bytes of Storage (files and headers): at most half the Storage area (" +
          (storageArea.end - storageArea.start) +
          " bytes)",
        size,
      );
    }
  } else {
    if (start % eraseSize !== 0)
      failGot("start", "must be a multiple of eraseSize (" + eraseSize + ")", o["start"]);
    const c = chip as { start: number; size: number };
    if (start < c.start || start + size > c.start + c.size) {
      fail(
        "start",
        "and size put the partition at " +
          hex(start) +
          "-" +
          hex(start + size) +
          ", outside the chip (" +
          hex(c.start) +
          "-" +
          hex(c.start + c.size) +
          ")",
      );
    }
    for (const r of reserved ?? []) {
      if (start < r.end && r.start < start + size) {
        fail(
          "start",
          "and size put the partition at " +
            hex(start) +
            "-" +
            hex(start + size) +
            ', overlapping reserved area "' +
            r.name +
            '" (' +
            hex(r.start) +
            "-" +
            hex(r.end) +
            ")",
        );
      }
    }
    if (backend === "spinor") spi = spiPins(o["spi"] as Record<string, unknown>, failGot);
  }

  // sources
  const sources: Record<string, string> = {};
  for (const [k, v] of Object.entries(o["sources"] as Record<string, string>)) {
    if (!fields.includes(k) || k === "sources") {
      fail("sources." + k, "cites a field the board does not have");
    }
    sources[k] = v;
  }
  const cited = CITED.slice();
  if (reserved) cited.push("reserved");
  if (chip) cited.push("chip");
  if (spi) cited.push("spi");
  for (const k of cited)
    if (!(k in sources)) fail("sources", 'must cite where "' + k + '" comes from');

  const board: BoardDefinition = {
    id,
    name,
    backend,
    start,
    size,
    eraseSize,
    progUnit,
    pageSize,
    recordSize,
    ringSize,
    part,
    jsvars,
    resetReason,
    sources,
  };
  if (storagePrefix !== undefined) board.storagePrefix = storagePrefix;
  if (spi) board.spi = spi;
  if (reserved) board.reserved = reserved;
  if (chip) board.chip = chip;
  return board;
}

/** The fields a backend requires or does not use: storagePrefix, spi and chip. */
function backendFields(obj: unknown, fail: (field: string, what: string) => never): void {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return;
  const o = obj as Record<string, unknown>;
  const backend = o["backend"];
  if (backend !== "flash" && backend !== "spinor" && backend !== "storage") return;
  const has = (k: string): boolean => o[k] !== undefined;
  if (backend === "storage") {
    if (!has("storagePrefix")) fail("storagePrefix", 'is required by the "storage" backend');
  } else {
    if (has("storagePrefix")) fail("storagePrefix", 'is only used by the "storage" backend');
    if (!has("chip")) fail("chip", 'is required by the "' + backend + "\" backend: the chip's {start, size}");
  }
  if (backend === "spinor" && !has("spi")) fail("spi", 'is required by the "spinor" backend');
  if (backend !== "spinor" && has("spi")) fail("spi", 'is only used by the "spinor" backend');
}

/** The SPI pins, once the schema has checked each: no pin may serve twice. */
function spiPins(
  o: Record<string, unknown>,
  failGot: (field: string, what: string, got: unknown) => never,
): SpiPins {
  const pins: string[] = [];
  for (const k of ["cs", "sck", "mosi", "miso"]) {
    const p = o[k] as string;
    if (pins.includes(p)) failGot("spi." + k, "must differ from the other SPI pins", p);
    pins.push(p);
  }
  return {
    cs: o["cs"] as string,
    sck: o["sck"] as string,
    mosi: o["mosi"] as string,
    miso: o["miso"] as string,
    baud: o["baud"] as number,
  };
}
