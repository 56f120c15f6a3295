// Builds one firmware bundle per board: firmware/dist/<board>.js, the file Espruino runs.
//
//   npm run build:firmware [-- --board puckjs --board linux] [--entry file.ts] [--out dir]
//                          [--budget 8192] [--no-dialect] [--inputs]
//                          [--mangle auto|underscore|off]
//
// Each bundle is esbuild's IIFE of a generated entry,
//   import { start } from "<repo>/firmware/main.ts"; start(<boards/<id>.json minus sources>);
// at target es2015, minified. The build prints a size table and fails (exit 1) when a bundle
// is over the budget (8192 bytes) or, unless --no-dialect, when scripts/check-dialect.ts
// finds a construct the interpreter cannot run. --inputs lists the bytes each source file
// contributes to each bundle.
//
// Property names are mangled (esbuild mangleProps): every name our device code declares
// that nothing outside the bundle spells, as scripts/mangle-names.ts computes them with the
// TypeScript compiler (--mangle auto, the default); --mangle underscore renames only the
// members named with a leading "_" (the previous setting), --mangle off nothing.

import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { Metafile } from "esbuild";
import type { BoardDefinition } from "../src/boards/schema.js";
import { isBoardError, listBoards, loadBoard } from "../src/boards/load.js";
import { checkDialect, formatFinding, repoRoot } from "./check-dialect.js";
import type { Finding } from "./check-dialect.js";
import { deviceSources, mangleNames } from "./mangle-names.js";
import { parseScriptArgs } from "./script-args.js";
import { bootStub, FirmwareFile } from "../src/boards/firmware-files.js";
import { sliceResident } from "./slice-resident.js";
import {
  FIRMWARE_MODULES,
  firmwareEsbuildOptions,
  moduleEntrySource,
  residentBoard,
  wrapModule,
} from "../src/boards/firmware-build.js";

export const ROOT = repoRoot();
export const DEFAULT_ENTRY = join(ROOT, "firmware", "main.ts");
export const DEFAULT_OUT = join(ROOT, "firmware", "dist");
/**
 * Bytes a firmware file may have. Code evaluated from Storage stays in flash, so size costs
 * little RAM, but the interpreter scans every byte at each load: .boot0 at every boot
 * (docs/FOOTPRINT.md measures what that costs, in L).
 */
export const BUDGET = 12288;

export interface BoardBuild {
  board: string;
  /** Minified bundle size in bytes. */
  bytes: number;
  /** The same, gzip-compressed (for information). */
  gzip: number;
  code: string;
  /** Where it was written, or undefined (write: false). */
  file: string | undefined;
  /** Every Storage file of the board's firmware, .boot0 first; `code` is .boot0's, or with the modules the core's it runs. */
  files: BundleFile[];
  /** True when any of `files` is over the budget (the budget is per file). */
  overBudget: boolean;
  findings: Finding[];
  /** Bytes each source file contributes to the bundle (esbuild's metafile), largest first. */
  inputs: Array<[string, number]>;
  /**
   * Every file the build read, repository-relative: the sources esbuild bundled (its
   * metafile) and the build's own code and configuration. Written beside the bundle as
   * <board>.inputs.json, from which the CLI tells a stale bundle (src/host/firmware-build.ts).
   */
  buildInputs: string[];
}

/** The generated entry module for `board`. */
export function entrySource(entry: string, board: BoardDefinition): string {
  return (
    "import { start } from " +
    JSON.stringify(entry.split("\\").join("/")) +
    ";\n" +
    "start(" +
    JSON.stringify(residentBoard(board)) +
    ");\n"
  );
}

/**
 * The resident functions that run only while start() runs: the board's wiring. The loader
 * deletes them after the entry call (scripts/slice-resident.ts), since each function held
 * costs RAM for as long as the firmware runs (4 JsVars and one per parameter, measured:
 * docs/FOOTPRINT.md). A name missing from a board's bundle was left out by the bundler (the
 * backends the board does not use).
 */
export const BOOT_ONLY_FUNCTIONS = [
  "start",
  "openFlash",
  "logOptions",
  "internalFlash",
  "spiNorFlash",
  "storageFlash",
  "storageBackend",
  "boardGeometry",
  "captureConsole",
  "install",
] as const;

export interface BuildOptions {
  /** Module exporting start(board): default firmware/main.ts. */
  entry?: string;
  /** Output directory: default firmware/dist. */
  outDir?: string;
  /** false: build in memory only. Default true. */
  write?: boolean;
  budget?: number;
  /** Run the dialect checker on the bundle. Default true. */
  dialect?: boolean;
  /**
   * Which property names esbuild renames: "auto" (default) the names scripts/mangle-names.ts
   * finds safe, plus every name starting with "_"; "underscore" only the latter; "off" none.
   */
  mangle?: MangleMode;
  /**
   * Also build the modules loaded on demand (firmware/mount.ts, firmware/read.ts).
   * Default: true with the default entry, false with a stand-in.
   */
  modules?: boolean;
}

export type MangleMode = "auto" | "underscore" | "off";

/**
 * esbuild's property-mangling options for a bundle built from `entry`. With "auto" the
 * entry is part of the analysis when it is not one of the device sources (a stand-in).
 * mangleQuoted: the board JSON in the generated entry has quoted keys ({"recordSize":...})
 * that must be renamed with the code that reads them; names used as string keys
 * (o["k"], "k" in o) are reserved by mangle-names, so quoting never hides a use.
 * mangleCache: the reserved names, mapped to false, which also keeps esbuild from choosing
 * one of them (`at`, `on`, ...) as a short name.
 */
export function mangleOptions(
  entry: string,
  mode: MangleMode = "auto",
): { mangleProps?: RegExp; mangleQuoted?: boolean; mangleCache?: Record<string, false> } {
  if (mode === "off") return {};
  if (mode === "underscore") return { mangleProps: /^_/ };
  const own = deviceSources(ROOT).map((f) => resolve(f));
  const extra = own.includes(resolve(entry)) ? [] : [entry];
  const m = mangleNames({ root: ROOT, extraFiles: extra });
  return { mangleProps: m.regex, mangleQuoted: true, mangleCache: { ...m.cache } };
}

/** One Storage file of a board's firmware (src/boards/firmware-files.ts). */
export interface BundleFile {
  /** Storage name: .boot0, .mtdmount, .mtdread. */
  storage: string;
  code: string;
  bytes: number;
  gzip: number;
  /** Where it was written, or undefined (write: false). */
  file: string | undefined;
}

/** The firmware modules loaded on demand: [Storage name, file suffix, source]. */
export function moduleSources(): Array<[string, string, string]> {
  return FIRMWARE_MODULES.map(([storage, suffix, src]) => [
    storage,
    suffix,
    join(ROOT, "firmware", src),
  ]);
}

/**
 * Bundles one board: the resident .boot0 (`code`) and, with the default entry, the modules
 * loaded on demand (`files`). All of them share one property-name mangling (esbuild's
 * mangleCache, passed from one build to the next), since the modules read the resident
 * objects. Throws when esbuild fails (its messages are in the error).
 */
export async function buildBoard(
  board: BoardDefinition,
  opts: BuildOptions = {},
): Promise<BoardBuild> {
  const entry = resolve(opts.entry ?? DEFAULT_ENTRY);
  const outDir = resolve(opts.outDir ?? DEFAULT_OUT);
  const budget = opts.budget ?? BUDGET;
  const withModules = opts.modules ?? entry === resolve(DEFAULT_ENTRY);
  const mangle = mangleOptions(entry, opts.mangle);
  const common = firmwareEsbuildOptions(ROOT, board);
  const result = await build({
    ...common,
    stdin: {
      contents: entrySource(entry, board),
      resolveDir: dirname(entry),
      sourcefile: "mtdoops-" + board.id + "-entry.ts",
      loader: "ts",
    },
    // With the modules, the resident code goes to FirmwareFile.Core as top-level code, run
    // as a function's body by the one-line boot file (bootStub()); a test entry alone is
    // one immediately called function in the boot file.
    format: withModules ? "esm" : "iife",
    // The resident code keeps its names for sliceResident(), which minifies each function
    // once the top-level names are properties of the resident object.
    ...(withModules ? { minify: false, minifySyntax: true, minifyWhitespace: true } : {}),
    // Property names that only the bundle's own code defines and reads (src/core, firmware:
    // see scripts/mangle-names.ts) cost bytes in every use and nothing outside sees them.
    // The cache (also with "underscore") hands the names chosen here to the modules.
    ...mangle,
    ...(mangle.mangleProps ? { mangleCache: { ...mangle.mangleCache } } : {}),
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error("esbuild produced no output for board " + board.id);
  // With the modules, the resident code is laid out as its Storage file (the functions,
  // made from slices of the file at boot, and the loader that makes them).
  const sliced = withModules ? await sliceResident(out.text, BOOT_ONLY_FUNCTIONS) : undefined;
  const code = sliced ? sliced.core : out.text;
  const bytes = Buffer.byteLength(code, "utf8");
  const files: BundleFile[] = [];
  const findings: Finding[] = [];
  if (opts.write !== false) mkdirSync(outDir, { recursive: true });
  // [Storage name, file suffix, code]: the boot file, and with the modules the core it runs.
  const parts: Array<[string, string, string]> = sliced
    ? [
        [FirmwareFile.Boot, ".js", bootStub(sliced.loaderStart, code.length)],
        [FirmwareFile.Core, ".core.js", code],
      ]
    : [[FirmwareFile.Boot, ".js", code]];
  /** Writes one Storage file's code as firmware/dist/<board><suffix>, lists it and checks its dialect; its path. */
  const emit = (storage: string, suffix: string, text: string): string | undefined => {
    let f: string | undefined;
    if (opts.write !== false) {
      f = join(outDir, board.id + suffix);
      writeFileSync(f, text);
    }
    files.push({
      storage,
      code: text,
      bytes: Buffer.byteLength(text, "utf8"),
      gzip: gzipSync(text, { level: 9 }).length,
      file: f,
    });
    if (opts.dialect !== false)
      findings.push(...checkDialect(text, f ? relative(process.cwd(), f) || f : board.id + suffix));
    return f;
  };
  let file: string | undefined;
  for (const [storage, suffix, text] of parts) {
    const f = emit(storage, suffix, text);
    if (storage === FirmwareFile.Boot) file = f;
  }
  const inputs = contributions(result.metafile);
  const sources = new Set<string>(sourceFiles(result.metafile));
  let cache = result.mangleCache;
  for (const [storage, suffix, src] of withModules ? moduleSources() : []) {
    const r = await build({
      ...common,
      stdin: {
        contents: moduleEntrySource(src, storage, board),
        resolveDir: dirname(src),
        sourcefile: "mtdoops-" + board.id + suffix.replace(/\.js$/, "") + "-entry.ts",
        loader: "ts",
      },
      format: "esm",
      ...mangle,
      ...(mangle.mangleProps ? { mangleCache: { ...mangle.mangleCache, ...cache } } : {}),
    });
    const o = r.outputFiles[0];
    if (!o) throw new Error("esbuild produced no output for board " + board.id + " " + storage);
    cache = { ...cache, ...r.mangleCache };
    emit(storage, suffix, wrapModule(o.text));
    for (const [name, n] of contributions(r.metafile)) inputs.push([storage + " " + name, n]);
    for (const f of sourceFiles(r.metafile)) sources.add(f);
  }
  const buildInputs = [...sources, ...toolInputs(board)].sort();
  if (opts.write !== false && withModules)
    writeFileSync(
      join(outDir, board.id + INPUTS_SUFFIX),
      JSON.stringify({ inputs: buildInputs }, null, 1) + "\n",
    );
  return {
    board: board.id,
    buildInputs,
    bytes,
    gzip: gzipSync(code, { level: 9 }).length,
    code,
    file,
    files,
    overBudget: files.some((f) => f.bytes > budget),
    findings,
    inputs,
  };
}

/** A board's firmware files as the virtual board and the interpreter tier install them: Storage name -> code. */
export function storageFiles(b: BoardBuild): Record<string, string> {
  const o: Record<string, string> = {};
  for (const f of b.files) o[f.storage] = f.code;
  return o;
}

/** Suffix of the list of a board's build inputs in firmware/dist (src/host/firmware-build.ts reads it). */
export const INPUTS_SUFFIX = ".inputs.json";

/** The files esbuild read for a build, repository-relative (the generated entry left out). */
function sourceFiles(meta: Metafile | undefined): string[] {
  if (!meta) return [];
  return Object.keys(meta.inputs)
    .filter((k) => !k.startsWith("<") && !k.includes("-entry.ts"))
    .map((k) => relative(ROOT, resolve(k)).split("\\").join("/"));
}

/**
 * The files that decide a board's build besides the sources: the build's own code (the
 * scripts, the esbuild options and entries), the board file, and what the options read
 * (package.json's version, tsconfig.json, the device types the property analysis reads).
 */
function toolInputs(board: BoardDefinition): string[] {
  const scripts = readdirSync(join(ROOT, "scripts"))
    .filter((n) => n.endsWith(".ts"))
    .map((n) => "scripts/" + n);
  return [
    ...scripts,
    "src/boards/firmware-build.ts",
    "firmware/espruino.d.ts",
    "boards/" + board.id + ".json",
    "package.json",
    "tsconfig.json",
  ];
}

function contributions(meta: Metafile | undefined): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  if (!meta) return out;
  for (const o of Object.values(meta.outputs)) {
    for (const [name, v] of Object.entries(o.inputs)) out.push([name, v.bytesInOutput]);
  }
  return out.sort((a, b) => b[1] - a[1]);
}

export function formatSizeTable(builds: BoardBuild[], budget: number = BUDGET): string {
  const rows = [["board", "bytes", "gzip", "budget", ""]];
  for (const b of builds) {
    for (const f of b.files) {
      rows.push([
        f.storage === FirmwareFile.Boot ? b.board : "  " + f.storage,
        String(f.bytes),
        String(f.gzip),
        Math.round((f.bytes / budget) * 100) + "%",
        f.bytes > budget
          ? "OVER BUDGET"
          : f.storage === FirmwareFile.Boot && b.findings.length
            ? b.findings.length + " dialect finding(s)"
            : "ok",
      ]);
    }
  }
  const widths = (rows[0] as string[]).map((_, i) =>
    Math.max(...rows.map((r) => (r[i] ?? "").length)),
  );
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The reasons a set of builds fails: one line each (empty: success). */
export function buildFailures(builds: BoardBuild[], budget: number = BUDGET): string[] {
  const out: string[] = [];
  for (const b of builds) {
    for (const f of b.files)
      if (f.bytes > budget)
        out.push(
          "board " +
            b.board +
            ": " +
            (f.storage === FirmwareFile.Boot ? "bundle" : f.storage) +
            " is " +
            f.bytes +
            " bytes, over the budget of " +
            budget,
        );
    for (const f of b.findings) out.push("board " + b.board + ": " + formatFinding(f));
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const boards: string[] = [];
  const opts: BuildOptions = {};
  let showInputs = false;
  // --warn-budget: report files over the budget without failing the build (for trying
  // changes out; npm run build:firmware fails on them).
  let warnOnly = false;
  const usage =
    "npm run build:firmware [-- --board <id> ...] [--entry <file.ts>] [--out <dir>] [--budget <bytes>] " +
    "[--no-dialect] [--warn-budget] [--inputs] [--mangle auto|underscore|off]";
  const args = parseScriptArgs(
    "build-firmware",
    argv,
    {
      board: { type: "string", multiple: true },
      entry: { type: "string" },
      out: { type: "string" },
      budget: { type: "string" },
      "no-dialect": { type: "boolean" },
      "warn-budget": { type: "boolean" },
      inputs: { type: "boolean" },
      mangle: { type: "string" },
    },
    usage,
  );
  if (!args) return 2;
  const v = args.values;
  for (const b of (v["board"] as string[] | undefined) ?? []) boards.push(b);
  if (typeof v["entry"] === "string") opts.entry = v["entry"];
  if (typeof v["out"] === "string") opts.outDir = v["out"];
  if (typeof v["budget"] === "string") {
    const n = Number(v["budget"]);
    if (!(Number.isInteger(n) && n > 0)) {
      console.error("build-firmware: --budget is a whole number of bytes, not " + v["budget"]);
      return 2;
    }
    opts.budget = n;
  }
  if (v["no-dialect"] === true) opts.dialect = false;
  if (v["warn-budget"] === true) warnOnly = true;
  if (v["inputs"] === true) showInputs = true;
  if (typeof v["mangle"] === "string") {
    const m = v["mangle"];
    if (m !== "auto" && m !== "underscore" && m !== "off") {
      console.error("build-firmware: --mangle is auto, underscore or off, not " + m);
      return 2;
    }
    opts.mangle = m;
  }
  const entry = resolve(opts.entry ?? DEFAULT_ENTRY);
  if (!existsSync(entry)) {
    console.error(
      "build-firmware: " +
        relative(process.cwd(), entry) +
        " does not exist (the firmware's start(board))",
    );
    return 2;
  }
  const budget = opts.budget ?? BUDGET;
  const builds: BoardBuild[] = [];
  for (const id of boards.length ? boards : listBoards()) {
    const board = loadBoard(id);
    try {
      builds.push(await buildBoard(board, opts));
    } catch (e) {
      console.error(
        "build-firmware: board " + id + ": " + (e instanceof Error ? e.message : String(e)),
      );
      return 1;
    }
  }
  console.log(formatSizeTable(builds, budget));
  if (showInputs) {
    for (const b of builds) {
      console.log("\n" + b.board + ": bytes per source file");
      for (const [name, n] of b.inputs) console.log("  " + String(n).padStart(6) + "  " + name);
    }
  }
  const failures = buildFailures(builds, budget);
  for (const f of failures) console.error((warnOnly ? "warning: " : "") + f);
  return failures.length && !warnOnly ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(
        "build-firmware: " + (isBoardError(e) || e instanceof Error ? e.message : String(e)),
      );
      process.exitCode = 1;
    },
  );
}
