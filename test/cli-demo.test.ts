import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { BufferStream } from "../src/cli/io.js";

describe("mtdoops demo (what npm start runs)", () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), "mtdoops-demo-"));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("a virtual board crashes five ways and restarts; the records are retrieved, saved, printed", async () => {
    const out = new BufferStream();
    const err = new BufferStream();
    const t0 = Date.now();
    const status = await main(["demo"], { stdout: out, stderr: err, env: {}, cwd });
    expect(status, err.text).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
    const text = out.text;
    expect(text).toMatch(/\[1\/4\] power on/);
    expect(text).toMatch(/board \| sample app: started/);
    expect(text).toMatch(/\[4\/4\] retrieving the crash logs/);
    // The summary table: one line per record, in order.
    const rows = text
      .split("\n")
      .filter((l) => /^\d+\s+(oops|panic|errorflag|reboot|shutdown)\s/.test(l))
      .map((l) => l.split(/\s+/).slice(0, 2));
    expect(rows.map((r) => r[1])).toEqual(["oops", "oops", "oops", "errorflag", "panic", "reboot"]);
    expect(text).toMatch(/message: Cannot read properties of undefined \(reading 'celsius'\)/);
    expect(text).toMatch(/message: battery low: 3\.05 V/);
    expect(text).toMatch(/error flags: FIFO_FULL/);
    expect(text).toMatch(/message: main loop stuck: watchdog reset coming/);
    expect(text).toMatch(/6 crash record\(s\) retrieved, verified and saved; the board freed 6\./);
    const m = /The files are in \.\/(mtdoops-logs\/[^/]+)\/:/.exec(text);
    expect(m).not.toBeNull();
    const folder = path.join(cwd, (m as RegExpExecArray)[1] as string);
    expect(readdirSync(folder).filter((f) => f.endsWith(".txt")).length).toBe(6);
    const idx = JSON.parse(readFileSync(path.join(folder, "index.json"), "utf8")) as Array<{
      reason: string;
    }>;
    expect(idx.map((r) => r.reason)).toEqual([
      "oops",
      "oops",
      "oops",
      "errorflag",
      "panic",
      "reboot",
    ]);
  }, 60_000);
});
