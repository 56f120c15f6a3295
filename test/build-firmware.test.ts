// The firmware build (scripts/build-firmware.ts): a stand-in entry for the mechanics (size
// table, budget, dialect check, the board baked in), then the real firmware/main.ts for
// every board.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { parse } from "acorn";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { listBoards, loadAllBoards, loadBoard } from "../src/boards/load.js";
import {
  BUDGET,
  ROOT,
  buildBoard,
  buildFailures,
  entrySource,
  formatSizeTable,
} from "../scripts/build-firmware.js";
import type { BoardBuild } from "../scripts/build-firmware.js";
import { checkDialect } from "../scripts/check-dialect.js";
import { loaderStartOf, madeFunctions } from "../scripts/slice-resident.js";
import { residentBoard } from "../src/boards/firmware-build.js";

const dir = mkdtempSync(join(tmpdir(), "mtdoops-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const schema = JSON.stringify(join(ROOT, "src", "boards", "schema.js"));

/** Writes a stand-in for firmware/main.ts: start(board) with the given body. */
function standIn(name: string, body: string, extra = ""): string {
  const file = join(dir, name + ".ts");
  writeFileSync(
    file,
    "import type { BoardDefinition } from " +
      schema +
      ";\n" +
      "declare const print: (s: string) => void;\ndeclare const MTDOOPS_BACKEND: string;\n" +
      extra +
      "export function start(board: BoardDefinition): void {\n" +
      body +
      "\n}\n",
  );
  return file;
}

/** Runs a bundle with a fake print(); returns what it printed. */
function run(code: string): string[] {
  const out: string[] = [];
  runInNewContext(code, { print: (s: string) => out.push(s) });
  return out;
}

const SMALL = standIn(
  "small",
  'print(board.id + " " + board.ringSize + " " + MTDOOPS_BACKEND + " " + JSON.stringify(board));',
);
const BIG = standIn(
  "big",
  "print(BIG + board.id);",
  'const BIG = "' + "x".repeat(BUDGET + 100) + '";\n',
);
const BAD = standIn("bad", "const { id, size } = board;\nprint(id + size);");

describe("build-firmware with a stand-in entry", () => {
  it("bundles start(<board JSON minus sources>) as an IIFE and writes firmware/dist-like output", async () => {
    const out = join(dir, "dist");
    const b = await buildBoard(loadBoard("linux"), { entry: SMALL, outDir: out });
    expect(b.file).toBe(join(out, "linux.js"));
    expect(statSync(join(out, "linux.js")).size).toBe(b.bytes);
    expect(readFileSync(join(out, "linux.js"), "utf8")).toBe(b.code);
    expect(b.code.startsWith("(()=>{")).toBe(true);
    expect(b.code).not.toContain("sources");
    expect(b.code).not.toContain("espruino.md");
    const printed = run(b.code);
    expect(printed).toHaveLength(1);
    const words = (printed[0] ?? "").split(" ");
    const [id, ringSize, define] = words;
    const json = words.slice(3).join(" ");
    // .boot0 gets what the backend, the log and the ring are made from; the backend's kind also comes from the build's define
    expect([id, ringSize, define]).toEqual(["linux", "2048", "storage"]);
    expect(JSON.parse(json)).toEqual(residentBoard(loadBoard("linux")));
    expect(Object.keys(JSON.parse(json) as object)).not.toContain("reserved");
    expect(b.findings).toEqual([]);
    expect(b.overBudget).toBe(false);
  });

  it("reports bundle and gzip sizes in a table", async () => {
    const builds: BoardBuild[] = [];
    for (const id of ["puckjs", "esp32"])
      builds.push(await buildBoard(loadBoard(id), { entry: SMALL, write: false }));
    for (const b of builds) {
      expect(b.file).toBeUndefined();
      expect(b.bytes).toBe(Buffer.byteLength(b.code));
      // (the stand-in is too small for gzip to make it smaller)
      expect(b.gzip).toBe(gzipSync(b.code, { level: 9 }).length);
    }
    const table = formatSizeTable(builds).split("\n");
    expect(table[0]).toMatch(/^board\s+bytes\s+gzip\s+budget$/);
    expect(table[1]).toMatch(
      new RegExp("^puckjs\\s+" + builds[0]?.bytes + "\\s+" + builds[0]?.gzip + "\\s+\\d+%\\s+ok$"),
    );
    expect(table[2]).toMatch(/^esp32\s+\d+\s+\d+\s+\d+%\s+ok$/);
    expect(buildFailures(builds)).toEqual([]);
  });

  it("fails a bundle over the budget, naming the board", async () => {
    const b = await buildBoard(loadBoard("pico"), { entry: BIG, write: false });
    expect(b.bytes).toBeGreaterThan(BUDGET);
    expect(b.overBudget).toBe(true);
    expect(formatSizeTable([b])).toContain("OVER BUDGET");
    expect(buildFailures([b])).toEqual([
      "board pico: bundle is " + b.bytes + " bytes, over the budget of " + BUDGET,
    ]);
    const small = await buildBoard(loadBoard("pico"), { entry: SMALL, write: false, budget: 64 });
    expect(small.overBudget).toBe(true);
    expect(buildFailures([small], 64)[0]).toContain("over the budget of 64");
  });

  it("runs the dialect checker on each bundle", async () => {
    const b = await buildBoard(loadBoard("puckjs"), { entry: BAD, write: false });
    expect(b.findings.map((f) => f.construct)).toContain("destructuring");
    expect(buildFailures([b])[0]).toMatch(/^board puckjs: puckjs\.js:1:\d+: destructuring: /);
    const skipped = await buildBoard(loadBoard("puckjs"), {
      entry: BAD,
      write: false,
      dialect: false,
    });
    expect(skipped.findings).toEqual([]);
  });

  it("the generated entry imports start from the entry and passes the board without sources", () => {
    const src = entrySource("/x/firmware/main.ts", loadBoard("puckjs"));
    expect(src.split("\n")[0]).toBe('import { start } from "/x/firmware/main.ts";');
    expect(src).toContain('start({"id":"puckjs"');
    expect(src).not.toContain('"sources"');
  });

  it("the command line: exit 0 with a table, 1 over budget naming the board, 2 without an entry", () => {
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ["--import", "tsx", join(ROOT, "scripts", "build-firmware.ts"), ...args],
        {
          cwd: ROOT,
          encoding: "utf8",
        },
      );
    const out = join(dir, "cli");
    const ok = cli("--entry", SMALL, "--out", out, "--board", "linux", "--board", "puckjs");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^board\s+bytes\s+gzip\s+budget\nlinux\s+\d+/);
    expect(existsSync(join(out, "puckjs.js"))).toBe(true);
    const over = cli("--entry", BIG, "--out", out, "--board", "linux");
    expect(over.status).toBe(1);
    expect(over.stderr).toContain("board linux: bundle is");
    expect(over.stderr).toContain("over the budget of 12288");
    const warned = cli("--entry", BIG, "--out", out, "--board", "linux", "--warn-budget");
    expect(warned.status).toBe(0);
    expect(warned.stderr).toContain("warning: board linux: bundle is");
    const none = cli("--entry", join(dir, "nope.ts"), "--out", out);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("does not exist");
    const unknown = cli("--entry", SMALL, "--out", out, "--board", "puck");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('unknown board "puck"; known boards: ');
  }, 60_000);

  it("check-dialect's command line: one line per finding, exit 1", () => {
    const file = join(dir, "bad-bundle.js");
    writeFileSync(file, "(()=>{var{a}=o;f(...a);})();\n");
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", join(ROOT, "scripts", "check-dialect.ts"), file],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split("\n")).toEqual([
      file + ":1:10: destructuring: object destructuring is not supported",
      file + ":1:18: spread: spread in call is not supported",
    ]);
    const good = join(dir, "good-bundle.js");
    writeFileSync(good, "(()=>{var a=1;print(a);})();\n");
    const g = spawnSync(
      process.execPath,
      ["--import", "tsx", join(ROOT, "scripts", "check-dialect.ts"), good],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect(g.status).toBe(0);
  }, 60_000);
});

describe("build-firmware with the real firmware/main.ts", () => {
  const builds: BoardBuild[] = [];
  it("builds every board; the dialect checker finds nothing", async () => {
    for (const board of loadAllBoards()) builds.push(await buildBoard(board, { write: false }));
    expect(builds.map((b) => b.board)).toEqual(listBoards());
    console.log("firmware bundles:\n" + formatSizeTable(builds));
    for (const b of builds) {
      expect(b.code.length).toBeGreaterThan(0);
      expect(checkDialect(b.code, b.board + ".js")).toEqual([]);
    }
  }, 120_000);

  it("the resident file: each function the loader makes is its own declaration's body", () => {
    const linux = builds.find((b) => b.board === "linux");
    const core = linux?.code ?? "";
    const program = parse(core, { ecmaVersion: "latest", sourceType: "script" });
    const bodies = new Map<string, string>();
    for (const s of program.body)
      if (s.type === "FunctionDeclaration" && s.id)
        bodies.set(s.id.name, core.slice(s.body.start + 1, s.body.end - 1));
    const made = madeFunctions(core);
    expect(made.length).toBe(bodies.size);
    for (const f of made) expect(core.substr(f.start, f.length), f.name).toBe(bodies.get(f.name));
    // The boot file runs the loader from where it starts, for this file's length only.
    const boot = linux?.files[0]?.code ?? "";
    expect(boot).toContain("c.length==" + core.length);
    expect(boot).toContain("c.substr(" + loaderStartOf(core) + ")");
  }, 120_000);
});
