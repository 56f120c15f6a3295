// Loads and validates board definitions (boards/<id>.json). Host-only (reads files with
// node:fs); the firmware build bakes the validated object into each bundle.
//
// Every field is checked, its shape against boards/board.schema.json (json-schema.ts), the
// rest below; the first problem is a BoardError naming the file and the field:
//   boards/puckjs.json: field "recordSize" must be a power of two from 64 to 4096, got 1000
// Addresses and sizes may be written as hex strings ("0x6C000") and come back as numbers.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { checkPartition } from "../core/flash.js";
import { boardGeometry } from "./geometry.js";
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
      throw boardError(
        displayPath(file) + ": cannot read the board schema: " + (e as Error).message,
      );
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

/** How a check reports the first problem: a BoardError naming the file and the field. */
interface Failer {
  (field: string, what: string): never;
  /** The same, with the value found: `..., got "0x8"`. */
  got(field: string, what: string, value: unknown): never;
}

function failer(fileName: string): Failer {
  const fail = ((field: string, what: string): never => {
    throw boardError(fileName + ': field "' + field + '" ' + what);
  }) as Failer;
  fail.got = (field, what, value) => fail(field, what + ", got " + show(value));
  return fail;
}

/**
 * Checks a parsed board file; returns it with hex strings turned into numbers. `fileName`
 * names the file in errors ("boards/puckjs.json"); when it ends in ".json", `id` must
 * equal its base name.
 */
export function validateBoard(obj: unknown, fileName: string): BoardDefinition {
  const fail = failer(fileName);
  // Which fields go with which backend comes first: "spi" on a flash board is one mistake,
  // not an incomplete SPI definition.
  backendFields(obj, fail);
  const schema = loadBoardSchema();
  const problem = checkSchema(schema, obj);
  if (problem) {
    if (problem.path === "") throw boardError(fileName + ": " + problem.message);
    if (problem.showValue) fail.got(problem.path, problem.message, problem.value);
    fail(problem.path, problem.message);
  }
  const o = obj as Record<string, unknown>;
  const board = fromShape(o);
  if (fileName.endsWith(".json")) {
    const base = basename(fileName, ".json");
    if (base !== board.id) fail.got("id", 'must match the file name "' + base + '"', board.id);
  }
  checkGeometryRules(board, fail);
  checkPart(board, fail);
  checkRam(board, fail);
  checkAreas(board, o, fail);
  if (board.backend === "storage") checkStoragePartition(board, o, fail);
  else checkRawPartition(board, o, fail);
  const fields = Object.keys(schema.properties ?? {}).filter((k) => k !== "$schema");
  checkSources(board, fields, fail);
  return board;
}

/** The board as the schema has shaped it, hex strings turned into numbers; only the fields given. */
function fromShape(o: Record<string, unknown>): BoardDefinition {
  const board: BoardDefinition = {
    id: o["id"] as string,
    name: o["name"] as string,
    backend: o["backend"] as BackendKind,
    start: toNumber(o["start"]),
    size: toNumber(o["size"]),
    eraseSize: toNumber(o["eraseSize"]),
    progUnit: o["progUnit"] as number,
    pageSize: toNumber(o["pageSize"]),
    recordSize: toNumber(o["recordSize"]),
    ringSize: toNumber(o["ringSize"]),
    part: o["part"] as string,
    jsvars: o["jsvars"] as number,
    resetReason: o["resetReason"] as BoardDefinition["resetReason"],
    sources: { ...(o["sources"] as Record<string, string>) },
  };
  if (o["storagePrefix"] !== undefined) board.storagePrefix = o["storagePrefix"] as string;
  if (o["spi"] !== undefined) board.spi = { ...(o["spi"] as SpiPins) };
  if (o["reserved"] !== undefined) {
    board.reserved = (o["reserved"] as Array<Record<string, unknown>>).map((e) => ({
      name: e["name"] as string,
      start: toNumber(e["start"]),
      end: toNumber(e["end"]),
    }));
  }
  if (o["chip"] !== undefined) {
    const c = o["chip"] as Record<string, unknown>;
    board.chip = { start: toNumber(c["start"]), size: toNumber(c["size"]) };
  }
  return board;
}

/** Erase block, program unit, page, partition and record sizes. */
function checkGeometryRules(b: BoardDefinition, fail: Failer): void {
  if (!isPow2(b.eraseSize) || b.eraseSize < 256 || b.eraseSize > 262144) {
    fail.got("eraseSize", "must be a power of two from 256 to 262144", b.eraseSize);
  }
  // Program unit, page, size and record size: the rules of every log partition
  // (src/core/flash.ts), which name the field first.
  const bad = checkPartition(boardGeometry(b), b.recordSize);
  if (bad) {
    const space = bad.indexOf(" ");
    fail(bad.slice(0, space), bad.slice(space + 1));
  }
  if (b.ringSize < 16 || b.ringSize > 65536)
    fail.got("ringSize", "must be from 16 to 65536 bytes", b.ringSize);
}

/** A known part, whose erase and program units a raw partition must respect. */
function checkPart(b: BoardDefinition, fail: Failer): void {
  if (!partNames.includes(b.part)) {
    fail.got("part", "must be a known flash part (" + partNames.join(", ") + ")", b.part);
  }
  if (b.backend === "storage") return;
  // A raw partition is erased and programmed in the part's own units.
  const pg = getPart(b.part).geometry;
  if (b.eraseSize % pg.eraseSize !== 0) {
    fail.got(
      "eraseSize",
      "must be a multiple of part " + b.part + "'s erase size " + pg.eraseSize,
      b.eraseSize,
    );
  }
  if (b.progUnit % pg.progUnit !== 0) {
    fail.got(
      "progUnit",
      "must be a multiple of part " + b.part + "'s program unit " + pg.progUnit,
      b.progUnit,
    );
  }
  if (b.backend === "spinor" && b.pageSize > pg.pageSize) {
    fail.got(
      "pageSize",
      "must be at most part " + b.part + "'s program page " + pg.pageSize,
      b.pageSize,
    );
  }
}

/** The ring and two record buffers take at most 1/8 of the board's JsVar memory. */
function checkRam(b: BoardDefinition, fail: Failer): void {
  const ramBytes = b.jsvars * jsvarBytes(b.jsvars);
  const ramUse = b.ringSize + 2 * b.recordSize;
  if (ramUse * 8 > ramBytes) {
    fail(
      "ringSize",
      "plus twice recordSize (" +
        ramUse +
        " bytes) must be at most 1/8 of the board's " +
        ramBytes +
        " bytes of JsVars (" +
        b.jsvars +
        " x " +
        jsvarBytes(b.jsvars) +
        ")",
    );
  }
}

/** Reserved areas end above their start; the chip has a size. `o`: the file, for the values as written. */
function checkAreas(b: BoardDefinition, o: Record<string, unknown>, fail: Failer): void {
  const written = (o["reserved"] ?? []) as Array<Record<string, unknown>>;
  (b.reserved ?? []).forEach((r, i) => {
    if (r.end <= r.start)
      fail.got(
        "reserved[" + i + "].end",
        "must be above start (" + hex(r.start) + ")",
        written[i]?.["end"],
      );
  });
  if (b.chip && b.chip.size === 0)
    fail.got("chip.size", "must be positive", (o["chip"] as Record<string, unknown>)["size"]);
}

/** "storage": no address; file names that fit Storage; at most half the Storage area. */
function checkStoragePartition(b: BoardDefinition, o: Record<string, unknown>, fail: Failer): void {
  if (b.start !== 0)
    fail.got("start", 'must be 0 for the "storage" backend (it has no address)', o["start"]);
  const prefix = b.storagePrefix as string;
  const blocks = b.size / b.eraseSize;
  const longest = prefix + String(blocks - 1);
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix) || longest.length > STORAGE_NAME_MAX) {
    fail.got(
      "storagePrefix",
      "must be letters, digits, _ . or -, short enough that " +
        JSON.stringify(longest) +
        " fits Storage's " +
        STORAGE_NAME_MAX +
        "-character names",
      prefix,
    );
  }
  const storageArea = (b.reserved ?? []).find((r) => r.name === "Storage");
  const need = blocks * (b.eraseSize + STORAGE_FILE_HEADER);
  if (storageArea && need * 2 > storageArea.end - storageArea.start) {
    fail.got(
      "size",
      "needs " +
        need +
        " bytes of Storage (files and headers): at most half the Storage area (" +
        (storageArea.end - storageArea.start) +
        " bytes)",
      b.size,
    );
  }
}

/** "flash"/"spinor": block-aligned, inside the chip, clear of every reserved area; SPI pins distinct. */
function checkRawPartition(b: BoardDefinition, o: Record<string, unknown>, fail: Failer): void {
  const { start, size } = b;
  if (start % b.eraseSize !== 0)
    fail.got("start", "must be a multiple of eraseSize (" + b.eraseSize + ")", o["start"]);
  const where = "and size put the partition at " + hex(start) + "-" + hex(start + size);
  const c = b.chip as { start: number; size: number };
  if (start < c.start || start + size > c.start + c.size) {
    fail(
      "start",
      where + ", outside the chip (" + hex(c.start) + "-" + hex(c.start + c.size) + ")",
    );
  }
  for (const r of b.reserved ?? []) {
    if (start < r.end && r.start < start + size) {
      fail(
        "start",
        where +
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
  if (b.spi) {
    const pins: string[] = [];
    for (const k of ["cs", "sck", "mosi", "miso"] as const) {
      const p = b.spi[k];
      if (pins.includes(p)) fail.got("spi." + k, "must differ from the other SPI pins", p);
      pins.push(p);
    }
  }
}

/** Every citation names a field, and every fact has one. */
function checkSources(b: BoardDefinition, fields: readonly string[], fail: Failer): void {
  for (const k of Object.keys(b.sources)) {
    if (!fields.includes(k) || k === "sources")
      fail("sources." + k, "cites a field the board does not have");
  }
  const cited = CITED.slice();
  if (b.reserved) cited.push("reserved");
  if (b.chip) cited.push("chip");
  if (b.spi) cited.push("spi");
  for (const k of cited)
    if (!(k in b.sources)) fail("sources", 'must cite where "' + k + '" comes from');
}

/** The fields a backend requires or does not use: storagePrefix, spi and chip. */
function backendFields(obj: unknown, fail: Failer): void {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return;
  const o = obj as Record<string, unknown>;
  const backend = o["backend"];
  if (backend !== "flash" && backend !== "spinor" && backend !== "storage") return;
  const has = (k: string): boolean => o[k] !== undefined;
  if (backend === "storage") {
    if (!has("storagePrefix")) fail("storagePrefix", 'is required by the "storage" backend');
  } else {
    if (has("storagePrefix")) fail("storagePrefix", 'is only used by the "storage" backend');
    if (!has("chip"))
      fail("chip", 'is required by the "' + backend + "\" backend: the chip's {start, size}");
  }
  if (backend === "spinor" && !has("spi")) fail("spi", 'is required by the "spinor" backend');
  if (backend !== "spinor" && has("spi")) fail("spi", 'is only used by the "spinor" backend');
}
