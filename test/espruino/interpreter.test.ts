// The interpreter tier (npm run test:espruino): the `linux` firmware bundle on the real
// Espruino interpreter, the Linux build at $ESPRUINO_BIN. It is installed as Storage
// ".boot0" in a temporary folder (the interpreter keeps its fake flash, espruino.flash, in
// its working directory), the interpreter is restarted in REPL mode so that .boot0 runs
// at boot, every dump kind is triggered, the process is killed with SIGKILL and started
// again, and the records are read back with mtdoops.dump and checked with the host's
// ProtocolParser and decodeRecord. It also measures the library's JsVar footprint.
//
// Without ESPRUINO_BIN the suite is skipped (and says so).

import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBoard } from "../../src/boards/load.js";
import { heatshrinkDecompress } from "../../src/codec/heatshrink.js";
import { crc32 } from "../../src/core/crc32.js";
import { commands } from "../../src/core/protocol.js";
import { ProtocolParser } from "../../src/host/protocol-parser.js";
import type { ProtocolEvent } from "../../src/host/protocol-parser.js";
import { Flags, reasonName } from "../../src/core/record.js";
import { openRecord } from "../../src/sim/virtual-board.js";
import { buildFirmwareBundle } from "../helpers/firmware.js";
import type { OpenedRecord } from "../../src/sim/virtual-board.js";

const BIN = process.env["ESPRUINO_BIN"];
/** JsVars the library may hold after init beyond its ring buffer (docs/FOOTPRINT.md). */
const FOOTPRINT_BUDGET = 300;
const board = loadBoard("linux");

/** One run of the interpreter in REPL mode, stdin kept open through a pipe. */
class Espruino {
  readonly proc: ChildProcessWithoutNullStreams;
  out = "";
  private mark = 0;
  exited = false;

  constructor(cwd: string) {
    this.proc = spawn(BIN as string, [], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.on("data", (d: Buffer) => {
      this.out += d.toString("latin1");
    });
    this.proc.stderr.on("data", () => undefined);
    this.proc.on("exit", () => {
      this.exited = true;
    });
  }

  /** Output since the last since() call. */
  since(): string {
    const s = this.out.slice(this.mark);
    this.mark = this.out.length;
    return s;
  }

  async waitFor(what: string | RegExp, ms = 10_000): Promise<string> {
    const start = Date.now();
    for (;;) {
      const text = this.out.slice(this.mark);
      const hit = typeof what === "string" ? text.includes(what) : what.test(text);
      if (hit) return text;
      if (this.exited) throw new Error("espruino exited; output:\n" + this.out.slice(-2000));
      if (Date.now() - start > ms)
        throw new Error(
          "timed out waiting for " + String(what) + "; output:\n" + text.slice(-2000),
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  send(text: string): void {
    this.proc.stdin.write(text);
  }

  /** Evaluates an expression silently (DLE) and returns what it prints between markers. */
  async query(expr: string, ms = 10_000): Promise<string> {
    const tag = "Q" + Math.floor(Math.random() * 1e9);
    this.since();
    this.send("\x10print('<" + tag + ">'+(" + expr + ")+'</" + tag + ">')\n");
    const text = await this.waitFor("</" + tag + ">", ms);
    const m = new RegExp("<" + tag + ">([\\s\\S]*)</" + tag + ">").exec(text);
    return m ? (m[1] as string) : "";
  }

  kill(): Promise<void> {
    return new Promise((resolve) => {
      if (this.exited) return resolve();
      this.proc.on("exit", () => resolve());
      this.proc.kill("SIGKILL");
    });
  }
}

function parse(text: string): ProtocolEvent[] {
  const p = new ProtocolParser({
    crc32,
    fromBase64: (t) => new Uint8Array(Buffer.from(t, "base64")),
    decompress: (d) => heatshrinkDecompress(d, { strict: false }),
  });
  return p.push(text + "\n");
}

async function dump(
  e: Espruino,
  since: number,
  z: boolean,
): Promise<{ events: ProtocolEvent[]; recs: OpenedRecord[] }> {
  e.since();
  e.send(commands.dump(since, z));
  const text = await e.waitFor(/MTDOOPS:(END \d+|ERROR .*)\r\n/);
  const events = parse(text);
  const recs: OpenedRecord[] = [];
  for (const ev of events) {
    if (ev.type === "record") {
      const o = openRecord(ev.record.raw, board.recordSize);
      expect(o.record.seq).toBe(ev.record.seq);
      recs.push(o);
    }
  }
  return { events, recs };
}

const report: string[] = [];

if (!BIN) {
  console.warn(
    "ESPRUINO_BIN not set: interpreter tier skipped (npm run test:espruino with ESPRUINO_BIN=/path/to/espruino)",
  );
  describe.skip("ESPRUINO_BIN not set: interpreter tier skipped (set it to an Espruino Linux build, e.g. /opt/espruino/espruino)", () => {
    it("runs the linux bundle on the real interpreter", () => undefined);
  });
} else {
  describe("interpreter tier: the linux bundle on " + BIN, () => {
    let dir = "";
    let files: Record<string, string> = {};
    const running: Espruino[] = [];
    const start = async (): Promise<Espruino> => {
      const e = new Espruino(dir);
      running.push(e);
      await e.waitFor(/\r\n>$|>$/);
      await new Promise((r) => setTimeout(r, 300));
      return e;
    };
    const usage: Record<string, number> = {};

    beforeAll(async () => {
      if (!existsSync(BIN)) throw new Error("ESPRUINO_BIN=" + BIN + " does not exist");
      dir = mkdtempSync(join(tmpdir(), "mtdoops-espruino-"));
      files = await buildFirmwareBundle(board);
    });
    afterAll(async () => {
      for (const e of running) await e.kill();
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (report.length) console.log("\n" + report.join("\n") + "\n");
    });

    it("installs the firmware files (.boot0 and its modules) in Storage (EspruinoTools-style chunks) and measures the baseline", async () => {
      const e = await start();
      usage["baseline"] = Number(await e.query("process.memory().usage"));
      usage["ring"] = Number(await e.query("E.getSizeOf(new Uint8Array(" + board.ringSize + "))"));
      for (const name of Object.keys(files)) {
        const code = files[name] ?? "";
        const b64 = Buffer.from(code, "latin1").toString("base64");
        const CHUNK = 512; // base64 characters per line: well inside the 1 KB input FIFO
        for (let i = 0, n = 0; i < b64.length; i += CHUNK, n++) {
          const off = (i / 4) * 3;
          const size = off === 0 ? "," + code.length : "";
          e.since();
          e.send(
            '\x10require("Storage").write(' +
              JSON.stringify(name) +
              ',atob("' +
              b64.slice(i, i + CHUNK) +
              '"),' +
              off +
              size +
              ");print('W" +
              n +
              "')\n",
          );
          await e.waitFor("W" + n + "\r\n");
        }
        expect(Number(await e.query('require("Storage").read(' + JSON.stringify(name) + ").length"))).toBe(
          code.length,
        );
        expect(Number(await e.query("E.CRC32(require(\"Storage\").read(" + JSON.stringify(name) + "))"))).toBe(
          crc32(Buffer.from(code, "latin1")),
        );
      }
      await e.kill();
      report.push(
        "files: " +
          Object.keys(files)
            .map((n) => n + " " + (files[n] ?? "").length + " bytes")
            .join(", ") +
          " (linux, minified)",
      );
    });

    it("boots with .boot0 in REPL mode: mtdoops is up, the console is captured, the REPL still works", async () => {
      const e = await start();
      expect(e.out).not.toMatch(/not started|Uncaught|mount failed/);
      expect(await e.query("E.getConsole()")).toBe("LoopbackA");
      expect(await e.query("mtdoops.stats().state")).toBe("ready");
      usage["loaded"] = Number(await e.query("process.memory().usage"));
      usage["api"] = Number(await e.query("E.getSizeOf(mtdoops)"));
      e.since();
      e.send("6*7\n");
      expect(await e.waitFor("=42")).toContain("6*7\r\n=42\r\n>");
      await e.kill();
    });

    it("records every dump kind, survives kill -9, reads back through mtdoops.dump", async () => {
      let e = await start();
      e.send('print("hello from the app")\n');
      await e.waitFor("hello from the app");
      e.send(
        'setTimeout(function(){ print("about to fail"); throw new Error("boom in timer"); }, 10)\n',
      );
      await e.waitFor("Uncaught Error: boom in timer");
      e.send('mtdoops.panic("panic message")\n');
      await e.waitFor("=true");
      e.send('mtdoops.oops("oops message")\n');
      await e.waitFor("=true");
      await new Promise((r) => setTimeout(r, 300));
      // An error flag: more than the 1 KB IO buffer written to the loopback at once. (The
      // interpreter's "New interpreter error: FIFO_FULL" line goes through the same full
      // FIFO and is usually lost: wait for the record instead.)
      e.since();
      e.send('LoopbackA.write(new Array(1600).join("z"))\n');
      await e.waitFor("zzzz");
      await new Promise((r) => setTimeout(r, 1500));
      expect(await e.query("mtdoops.stats().written")).toBe("4");
      // 'kill': reset() runs the kill handlers, then the boot files again.
      e.since();
      e.send("reset()\n");
      await e.waitFor(/espruino\.com/);
      await new Promise((r) => setTimeout(r, 500));
      expect(await e.query("mtdoops.stats().boot")).toBe("2");
      await e.kill(); // kill -9: no kill handlers, the fake flash file persists
      e = await start();
      const { events, recs } = await dump(e, -1, false);
      expect(events.filter((x) => x.type === "corrupt")).toEqual([]);
      const end = events.find((x) => x.type === "end");
      expect(end && end.type === "end" ? end.count : -1).toBe(recs.length);
      const kinds = recs.map((r) => reasonName(r.record.reason) + ":" + String(r.context["msg"]));
      expect(kinds).toEqual([
        "oops:boom in timer",
        "panic:panic message",
        "oops:oops message",
        "errorflag:interpreter error FIFO_FULL",
        "shutdown:shutdown",
      ]);
      const [timer, panic] = recs as [OpenedRecord, OpenedRecord];
      expect(timer.console).toMatch(/hello from the app\n/);
      expect(timer.console).toMatch(/about to fail\nUncaught Error: boom in timer\n/);
      expect(String(timer.context["stack"])).toContain("at ");
      expect(panic.context["fw"]).toMatch(/^2v29/);
      expect(panic.context["board"]).toBe("linux");
      for (const r of recs) {
        expect(r.console.includes("\r") || r.console.includes("\x1b")).toBe(false);
        expect(r.record.time).toBeGreaterThan(1577836800); // the Linux build knows the time
        expect(r.record.boot).toBe(1);
      }
      report.push(
        "records read back after kill -9: " +
          recs
            .map(
              (r) => reasonName(r.record.reason) + (r.record.flags & Flags.HEATSHRINK ? "(z)" : ""),
            )
            .join(", "),
      );
      // The same records, compressed in transit.
      const z = await dump(e, -1, true);
      expect(z.recs.map((r) => r.record.crc)).toEqual(recs.map((r) => r.record.crc));
      expect(z.events.some((x) => x.type === "record")).toBe(true);
      // Only the newer ones.
      const newer = await dump(e, (recs[2] as OpenedRecord).record.seq, false);
      expect(newer.recs.map((r) => reasonName(r.record.reason))).toEqual(["errorflag", "shutdown"]);
      // Clear, then nothing is left; the log goes on after it.
      e.since();
      e.send(commands.clear((recs[recs.length - 1] as OpenedRecord).record.seq));
      expect(await e.waitFor(/MTDOOPS:CLEARED \d+/)).toContain("MTDOOPS:CLEARED 5");
      expect((await dump(e, -1, false)).recs).toEqual([]);
      e.send('mtdoops.panic("after clear")\n');
      await e.waitFor("=true");
      expect((await dump(e, -1, false)).recs.map((r) => r.context["msg"])).toEqual(["after clear"]);
      await e.kill();
    });

    it("measures the JsVar footprint", () => {
      const delta = (usage["loaded"] ?? 0) - (usage["baseline"] ?? 0);
      report.push(
        "JsVars: baseline " +
          usage["baseline"] +
          ", with mtdoops loaded " +
          usage["loaded"] +
          " (+" +
          delta +
          "); " +
          "ring Uint8Array(" +
          board.ringSize +
          ") = " +
          usage["ring"] +
          " JsVars; beyond the ring: " +
          (delta - (usage["ring"] ?? 0)) +
          "; E.getSizeOf(mtdoops) = " +
          usage["api"],
      );
      expect(delta).toBeGreaterThan(0);
      // The target (docs/FOOTPRINT.md): what the library holds after init beyond its
      // ring's bytes, on this build.
      expect(delta - (usage["ring"] ?? 0)).toBeLessThanOrEqual(FOOTPRINT_BUDGET);
    });
  });
}
