import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { BufferStream } from "../src/cli/io.js";
import type { CliIo } from "../src/cli/io.js";
import { logsCommand } from "../src/cli/cmd-logs.js";
import { Reason } from "../src/core/record.js";
import { SimulatedNorFlash } from "../src/sim/nor-flash.js";
import { bootBoard } from "./helpers/model.js";
import { FakeBoard } from "./retrieve-fake-board.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "mtdoops-cli-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function io(
  cwd = ROOT,
  env: Record<string, string> = {},
): CliIo & { out: BufferStream; err: BufferStream } {
  const out = new BufferStream();
  const err = new BufferStream();
  return { stdout: out, stderr: err, env, cwd, out, err };
}

async function run(argv: string[], cwd?: string, env?: Record<string, string>) {
  const i = io(cwd, env);
  const status = await main(argv, i);
  return { status, stdout: i.out.text, stderr: i.err.text };
}

/** A partition image made by the simulator: 3 oops records, 256-byte slots. */
function makeImage(dir: string, n = 3): string {
  const flash = new SimulatedNorFlash({
    geometry: { size: 4 * 1024, eraseSize: 1024, progUnit: 4, pageSize: 256, erasedValue: 0xff },
  });
  const { sched, ring, log } = bootBoard(flash, 256, { loopThreshold: 0 }, 1024);
  for (let i = 0; i < n; i++) {
    ring.write(`>doSomething()\r\nUncaught Error: failure ${i}\r\n at line 1 col 7\r\n`);
    sched.advance(2500);
    log.dump(Reason.OOPS, JSON.stringify({ msg: "failure " + i, board: "puckjs", fw: "2v29" }));
    sched.runAll();
  }
  const file = path.join(dir, "part.bin");
  writeFileSync(file, flash.toImage());
  return file;
}

function oneLineError(stderr: string): void {
  const lines = stderr.trimEnd().split("\n");
  expect(lines.length).toBe(1);
  expect(lines[0]).toMatch(/^mtdoops: /);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("mtdoops: usage", () => {
  it("no command: usage on stderr, status 2", async () => {
    const r = await run([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Usage:/);
  });

  it("--help and every command's --help: status 0", async () => {
    const r = await run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/mtdoops logs/);
    for (const cmd of ["flash", "logs", "decode", "sim", "demo"]) {
      const h = await run([cmd, "--help"]);
      expect(h.status, cmd).toBe(0);
      expect(h.stdout, cmd).toMatch(new RegExp(`mtdoops ${cmd}`));
    }
    expect((await run(["help", "logs"])).stdout).toMatch(/--clear/);
  });

  it("unknown command, unknown option, missing argument: one line, status 2", async () => {
    for (const argv of [
      ["frobnicate"],
      ["logs", "--port", "/dev/x", "--bogus"],
      ["logs"],
      ["logs", "--port"],
      ["decode"],
      ["decode", "a", "b"],
      ["flash", "--port", "/dev/x"],
      ["flash", "--board", "puckjs"],
      ["decode", "x.bin", "--format", "linux"],
      ["logs", "--port", "x", "--clear=yes"],
    ]) {
      const r = await run(argv);
      expect(r.status, argv.join(" ")).toBe(2);
      oneLineError(r.stderr);
    }
    const r = await run(["logs", "--port", "/dev/x", "--bogus"]);
    expect(r.stderr).toBe("mtdoops: unknown option --bogus (see: mtdoops logs --help)\n");
    expect((await run(["frobnicate"])).stderr).toMatch(
      /unknown command "frobnicate"; the commands are flash, logs, decode, sim, demo/,
    );
    expect((await run(["logs"])).stderr).toMatch(/missing --port/);
  });

  it("--clear with --since is refused before touching the board", async () => {
    const r = await run(["logs", "--port", "/dev/null-port", "--since", "3", "--clear"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--clear with --since/);
  });
});

describe("mtdoops decode", () => {
  it("prints one block per record, finding the record size", async () => {
    const d = tmp();
    const file = makeImage(d);
    const r = await run(["decode", file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^=== seq 1 · oops · 2025-11-26T00:00:02\.000Z ===\nboot 1 · uptime 2\.500 s · slot 0\n/,
    );
    expect(r.stdout).toMatch(
      /message: failure 0\nboard puckjs, fw 2v29\n--- console ---\n>doSomething\(\)\nUncaught Error: failure 0\n at line 1 col 7\n/,
    );
    expect(r.stdout.match(/^=== seq /gm)?.length).toBe(3);
    expect(r.stderr).toMatch(/3 record\(s\) in .*256-byte slots, size detected/);
  });

  it("--json: an array of DecodedRecord", async () => {
    const d = tmp();
    const file = makeImage(d);
    const r = await run(["decode", file, "--json", "--board", "puckjs", "--record-size", "256"]);
    expect(r.status).toBe(0);
    const recs = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(recs.map((x) => x["seq"])).toEqual([1, 2, 3]);
    expect(recs[0]).toMatchObject({
      origin: "espruino-mtdoops",
      reason: "oops",
      time: "2025-11-26T00:00:02.000Z",
      boot: 1,
    });
    expect(recs[0]?.["text"]).toMatch(/Uncaught Error: failure 0/);
  });

  it("--format linux decodes a kernel mtdoops image", async () => {
    const vec = path.join(ROOT, "test/vectors/linux-mtdoops/v2-le-4k.bin");
    const r = await run(["decode", vec, "--format", "linux", "--record-size", "4096", "--json"]);
    expect(r.status).toBe(0);
    const recs = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(recs.length).toBeGreaterThan(0);
    expect(recs[0]).toMatchObject({ origin: "linux-mtdoops", reason: "unknown" });
    const h = await run(["decode", vec, "--format", "linux", "--record-size", "4096"]);
    expect(h.stdout).toMatch(/^=== seq \d+ · unknown · /);
  });

  it("bad input: one clear line, status 1", async () => {
    const d = tmp();
    const file = makeImage(d);
    const foreign = path.join(d, "foreign.bin");
    writeFileSync(foreign, "this is a text file, not a partition\n".repeat(50));
    const short = path.join(d, "short.bin");
    writeFileSync(short, Buffer.alloc(20, 1));
    const cases: Array<[string[], RegExp]> = [
      [["decode", path.join(d, "missing.bin")], /cannot read .*missing\.bin: no such file/],
      [["decode", d], /it is a directory/],
      [["decode", foreign], /no espruino-mtdoops record found .*--format linux/],
      [["decode", short], /shorter than the smallest record slot/],
      [["decode", file, "--record-size", "100"], /--record-size must be a power of two/],
      [
        ["decode", file, "--record-size", "abc"],
        /--record-size must be a power of two from 64 to 65536 .*got "abc"/,
      ],
      [
        ["decode", file, "--board", "nosuchboard"],
        /unknown board "nosuchboard"; known boards: .*puckjs/,
      ],
      [["decode", file, "--format", "xml"], /--format must be espruino or linux/],
      [
        ["decode", foreign, "--format", "linux", "--record-size", "4096"],
        /no Linux mtdoops record|shorter than one slot/,
      ],
    ];
    for (const [argv, re] of cases) {
      const r = await run(argv);
      expect(r.status, argv.join(" ")).toBe(1);
      oneLineError(r.stderr);
      expect(r.stderr, argv.join(" ")).toMatch(re);
    }
  });

  it("an erased image: no records, status 0", async () => {
    const d = tmp();
    const f = path.join(d, "erased.bin");
    writeFileSync(f, Buffer.alloc(4096, 0xff));
    const r = await run(["decode", f]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/no records: .* is erased/);
  });
});

describe("mtdoops logs (in-process transport)", () => {
  it("retrieves, saves, prints, clears", async () => {
    const d = tmp();
    const board = new FakeBoard({ board: "puckjs" });
    board.crash(3);
    const i = io(d);
    const status = await logsCommand(
      ["--port", "fake://b", "--board", "puckjs", "--clear", "--timeout", "500"],
      i,
      {
        connect: board.connect,
        now: new Date("2026-11-26T17:30:00Z"),
      },
    );
    expect(status).toBe(0);
    const folder = path.join(d, "mtdoops-logs", "2026-11-26T17-30-00Z-puckjs");
    expect(readdirSync(folder).length).toBe(7);
    expect(i.out.text.match(/^=== seq /gm)?.length).toBe(3);
    expect(i.err.text).toMatch(/saved 3 record\(s\) in .*2026-11-26T17-30-00Z-puckjs/);
    expect(i.err.text).toMatch(/freed 3 record\(s\) on the board, up to seq 3/);
    expect(board.liveSeqs()).toEqual([]);
    const idx = JSON.parse(readFileSync(path.join(folder, "index.json"), "utf8")) as unknown[];
    expect(idx.length).toBe(3);
  });

  it("--json and --out", async () => {
    const d = tmp();
    const board = new FakeBoard();
    board.crash(2);
    const i = io(d);
    const status = await logsCommand(["--port", "fake://b", "--json", "--out", "logs2"], i, {
      connect: board.connect,
    });
    expect(status).toBe(0);
    expect((JSON.parse(i.out.text) as unknown[]).length).toBe(2);
    expect(readdirSync(path.join(d, "logs2")).length).toBe(1);
    expect(board.liveSeqs().length).toBe(2);
  });

  it("a board without the library: the install hint", async () => {
    const board = new FakeBoard({ mode: "nolib" });
    const i = io(tmp());
    const status = await main(
      ["logs", "--port", "tcp://127.0.0.1:1", "--board", "puckjs"],
      i,
    ).catch(() => -1);
    // (the real port is refused; the fake is tried through logsCommand below)
    expect(status).toBe(1);
    const j = io(tmp());
    await expect(
      logsCommand(["--port", "/dev/ttyACM0", "--board", "puckjs", "--timeout", "300"], j, {
        connect: board.connect,
      }),
    ).rejects.toThrow(
      "the board at /dev/ttyACM0 does not run espruino-mtdoops; install it with: mtdoops flash --board puckjs --port /dev/ttyACM0",
    );
  });

  it("ports that cannot be opened: one line, status 1", async () => {
    const d = tmp();
    const notDev = path.join(d, "plain-file");
    writeFileSync(notDev, "x");
    const cases: Array<[string[], RegExp]> = [
      [["logs", "--port", "/dev/ttyNOPE0"], /serial port \/dev\/ttyNOPE0 does not exist/],
      [["logs", "--port", notDev], /is not a serial device/],
      [["logs", "--port", "tcp://127.0.0.1:1"], /nothing listens at tcp:\/\/127\.0\.0\.1:1/],
      [["logs", "--port", "tcp://127.0.0.1:99999"], /bad TCP port/],
      [
        ["logs", "--port", "/dev/ttyNOPE0", "--board", "nosuch"],
        /unknown board "nosuch"; known boards:/,
      ],
      [["logs", "--port", "/dev/ttyNOPE0", "--timeout", "abc"], /--timeout must be a whole number/],
    ];
    for (const [argv, re] of cases) {
      const r = await run(argv, d);
      expect(r.status, argv.join(" ")).toBe(1);
      oneLineError(r.stderr);
      expect(r.stderr, argv.join(" ")).toMatch(re);
    }
  });
});

describe("the real executable (spawned)", () => {
  const cli = path.join(ROOT, "src/cli/main.ts");
  const spawnCli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ["--import", "tsx", cli, ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, ...env, MTDOOPS_DEBUG: env["MTDOOPS_DEBUG"] ?? "" },
      timeout: 60_000,
    });

  it("exit codes and no stack trace", () => {
    const a = spawnCli(["bogus"]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/^mtdoops: unknown command "bogus"/);
    expect(a.stderr.trim().split("\n").length).toBe(1);
    const b = spawnCli(["logs", "--port", "/dev/ttyNOPE0"]);
    expect(b.status).toBe(1);
    expect(b.stderr).toBe(
      "mtdoops: serial port /dev/ttyNOPE0 does not exist: check the cable and the port name (ls /dev/tty*)\n",
    );
    const c = spawnCli(["decode", "/nonexistent.bin"]);
    expect(c.status).toBe(1);
    expect(c.stderr.trim().split("\n").length).toBe(1);
    const h = spawnCli(["--help"]);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/Usage:/);
  });

  it("MTDOOPS_DEBUG=1 adds the stack", () => {
    const r = spawnCli(["decode", "/nonexistent.bin"], { MTDOOPS_DEBUG: "1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
