// Loads and validates board definitions (boards/<id>.json). Host-only (reads files with
// node:fs); the firmware build bakes the validated object into each bundle.
//
// Every field is checked; an error is a BoardError naming the file and the field:
//   boards/puckjs.json: field "recordSize" must be a power of two from 64 to 4096, got 1000
// Addresses and sizes may be written as hex strings ("0x6C000") and come back as numbers.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { checkGeometry } from "../core/flash.js";
import type { BackendKind, BoardDefinition, SpiPins } from "./schema.js";
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
    .filter((f) => f.endsWith(".json"))
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

const FIELDS = [
  "id",
  "name",
  "backend",
  "start",
  "size",
  "eraseSize",
  "progUnit",
  "pageSize",
  "recordSize",
  "ringSize",
  "part",
  "jsvars",
  "resetReason",
  "storagePrefix",
  "spi",
  "reserved",
  "chip",
  "sources",
] as const;

const BACKENDS: readonly BackendKind[] = ["flash", "spinor", "storage"];
const RESET_REASONS = ["nrf52", "esp8266", "none"] as const;
/** Fields whose value is a fact about the board: each needs a citation in `sources`. */
const CITED = ["start", "eraseSize", "progUnit", "pageSize", "part", "jsvars", "resetReason"];
/** Bytes of a Storage file header (JsfFileHeader: size and a 28-byte name). */
const STORAGE_FILE_HEADER = 32;
/** Storage file names have at most 28 characters (27 for StorageFile): keep to 27. */
const STORAGE_NAME_MAX = 27;
const PIN = /^[A-Z][A-Za-z]*[0-9]{1,3}$/;

const isPow2 = (n: number): boolean => n > 0 && Number.isInteger(n) && (n & (n - 1)) === 0;
const hex = (n: number): string => "0x" + n.toString(16).toUpperCase();
const show = (v: unknown): string => (v === undefined ? "nothing" : String(JSON.stringify(v)));

/** Bytes per JsVar for a board with `jsvars` variables (Espruino src/jsutils.h, JSVAR_SIZE by JSVAR_CACHE_SIZE). */
export function jsvarBytes(jsvars: number): number {
  if (jsvars <= 2047) return 12;
  if (jsvars <= 8191) return 13;
  if (jsvars <= 16383) return 14;
  return 16;
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
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    throw boardError(fileName + ": a board file must hold a JSON object");
  }
  const o = obj as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      fail(key, "is not a board field (known fields: " + FIELDS.join(", ") + ")");
    }
  }

  const str = (field: string, v: unknown): string => {
    if (typeof v !== "string" || v.length === 0) failGot(field, "must be a non-empty string", v);
    return v as string;
  };
  /** A whole number, or a hex string "0x..." (addresses and sizes). */
  const num = (field: string, v: unknown, allowHex: boolean): number => {
    let n: number = NaN;
    if (typeof v === "number") n = v;
    else if (allowHex && typeof v === "string" && /^0x[0-9a-fA-F]+$/.test(v)) n = parseInt(v, 16);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      failGot(
        field,
        allowHex
          ? 'must be a whole number from 0 to 0xFFFFFFFF (or a hex string such as "0x6C000")'
          : "must be a whole number",
        v,
      );
    }
    return n;
  };
  const oneOf = <T extends string>(field: string, v: unknown, allowed: readonly T[]): T => {
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
      failGot(field, "must be one of " + allowed.map((a) => '"' + a + '"').join(", "), v);
    }
    return v as T;
  };

  // identity
  const id = str("id", o["id"]);
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(id))
    failGot("id", "must be lowercase letters, digits, - or _", id);
  if (fileName.endsWith(".json")) {
    const base = basename(fileName, ".json");
    if (base !== id) failGot("id", 'must match the file name "' + base + '"', id);
  }
  const name = str("name", o["name"]);
  const backend = oneOf("backend", o["backend"], BACKENDS);

  // geometry
  const eraseSize = num("eraseSize", o["eraseSize"], true);
  if (!isPow2(eraseSize) || eraseSize < 256 || eraseSize > 262144) {
    failGot("eraseSize", "must be a power of two from 256 to 262144", eraseSize);
  }
  const progUnit = num("progUnit", o["progUnit"], false);
  const pageSize = num("pageSize", o["pageSize"], true);
  const size = num("size", o["size"], true);
  // Program unit, page and size: the same rules as every flash (src/core/flash.ts).
  const badGeometry = checkGeometry({ size, eraseSize, progUnit, pageSize, erasedValue: 0xff });
  if (badGeometry) {
    const space = badGeometry.indexOf(" ");
    fail(badGeometry.slice(0, space), badGeometry.slice(space + 1));
  }
  if (size / eraseSize < 2) {
    failGot("size", "must hold at least 2 erase blocks of " + eraseSize + " bytes", size);
  }
  const start = num("start", o["start"], true);
  const maxRecord = Math.min(eraseSize, 65536);
  const recordSize = num("recordSize", o["recordSize"], true);
  if (!isPow2(recordSize) || recordSize < 64 || recordSize > maxRecord) {
    failGot("recordSize", "must be a power of two from 64 to " + maxRecord, recordSize);
  }
  const ringSize = num("ringSize", o["ringSize"], true);
  if (ringSize < 16 || ringSize > 65536)
    failGot("ringSize", "must be from 16 to 65536 bytes", ringSize);

  // part
  const part = str("part", o["part"]);
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
  const jsvars = num("jsvars", o["jsvars"], false);
  if (jsvars < 100 || jsvars > 65535) failGot("jsvars", "must be from 100 to 65535", jsvars);
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
  const resetReason = oneOf("resetReason", o["resetReason"], RESET_REASONS);

  // reserved areas and chip
  let reserved: Array<{ name: string; start: number; end: number }> | undefined;
  if (o["reserved"] !== undefined) {
    const r = o["reserved"];
    if (!Array.isArray(r)) failGot("reserved", "must be an array of {name, start, end}", r);
    reserved = (r as unknown[]).map((e, i) => {
      const f = "reserved[" + i + "]";
      if (typeof e !== "object" || e === null || Array.isArray(e))
        failGot(f, "must be an object {name, start, end}", e);
      const entry = e as Record<string, unknown>;
      for (const k of Object.keys(entry)) {
        if (k !== "name" && k !== "start" && k !== "end")
          fail(f + "." + k, "is not a field of a reserved area (name, start, end)");
      }
      const rs = num(f + ".start", entry["start"], true);
      const re = num(f + ".end", entry["end"], true);
      if (re <= rs) failGot(f + ".end", "must be above start (" + hex(rs) + ")", entry["end"]);
      return { name: str(f + ".name", entry["name"]), start: rs, end: re };
    });
  }
  let chip: { start: number; size: number } | undefined;
  if (o["chip"] !== undefined) {
    const c = o["chip"];
    if (typeof c !== "object" || c === null || Array.isArray(c))
      failGot("chip", "must be an object {start, size}", c);
    const ce = c as Record<string, unknown>;
    for (const k of Object.keys(ce)) {
      if (k !== "start" && k !== "size") fail("chip." + k, "is not a field of chip (start, size)");
    }
    chip = {
      start: num("chip.start", ce["start"], true),
      size: num("chip.size", ce["size"], true),
    };
    if (chip.size === 0) failGot("chip.size", "must be positive", ce["size"]);
  }

  // backend-specific
  let storagePrefix: string | undefined;
  let spi: SpiPins | undefined;
  if (backend === "storage") {
    if (start !== 0)
      failGot("start", 'must be 0 for the "storage" backend (it has no address)', o["start"]);
    if (o["storagePrefix"] === undefined)
      fail("storagePrefix", 'is required by the "storage" backend');
    storagePrefix = str("storagePrefix", o["storagePrefix"]);
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
    if (o["spi"] !== undefined) fail("spi", 'is only used by the "spinor" backend');
  } else {
    if (o["storagePrefix"] !== undefined)
      fail("storagePrefix", 'is only used by the "storage" backend');
    if (start % eraseSize !== 0)
      failGot("start", "must be a multiple of eraseSize (" + eraseSize + ")", o["start"]);
    if (!chip)
      fail("chip", 'is required by the "' + backend + "\" backend: the chip's {start, size}");
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
    if (backend === "spinor") {
      if (o["spi"] === undefined) fail("spi", 'is required by the "spinor" backend');
      spi = checkSpi(o["spi"], fail, failGot);
    } else if (o["spi"] !== undefined) {
      fail("spi", 'is only used by the "spinor" backend');
    }
  }

  // sources
  const s = o["sources"];
  if (typeof s !== "object" || s === null || Array.isArray(s))
    failGot("sources", "must be an object: field -> citation", s);
  const sources: Record<string, string> = {};
  for (const [k, v] of Object.entries(s as Record<string, unknown>)) {
    if (!(FIELDS as readonly string[]).includes(k) || k === "sources") {
      fail("sources." + k, "cites a field the board does not have");
    }
    if (typeof v !== "string" || v.trim().length === 0)
      failGot("sources." + k, "must be a non-empty citation", v);
    sources[k] = v as string;
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

function checkSpi(
  v: unknown,
  fail: (field: string, what: string) => never,
  failGot: (field: string, what: string, got: unknown) => never,
): SpiPins {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    failGot("spi", "must be an object {cs, sck, mosi, miso, baud}", v);
  const o = v as Record<string, unknown>;
  const names = ["cs", "sck", "mosi", "miso"] as const;
  for (const k of Object.keys(o)) {
    if (!(names as readonly string[]).includes(k) && k !== "baud")
      fail("spi." + k, "is not an SPI field (cs, sck, mosi, miso, baud)");
  }
  const pins: string[] = [];
  for (const k of names) {
    const p = o[k];
    if (typeof p !== "string" || !PIN.test(p))
      failGot("spi." + k, 'must be a pin name such as "D14"', p);
    if (pins.includes(p as string)) failGot("spi." + k, "must differ from the other SPI pins", p);
    pins.push(p as string);
  }
  const baud = o["baud"];
  if (typeof baud !== "number" || !Number.isInteger(baud) || baud < 100_000 || baud > 80_000_000) {
    failGot("spi.baud", "must be a whole number from 100000 to 80000000", baud);
  }
  return {
    cs: o["cs"] as string,
    sck: o["sck"] as string,
    mosi: o["mosi"] as string,
    miso: o["miso"] as string,
    baud: baud as number,
  };
}
