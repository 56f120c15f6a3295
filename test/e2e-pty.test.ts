// End to end over a real pseudo-terminal, through serialport: `mtdoops sim --pty` (socat
// bridges the virtual board's console to a pty), the CLI opening it as a serial device.
// Also a pty in front of a fault-injecting proxy: line noise on the serial line, and the
// port vanishing mid-retrieval and coming back (a USB board resetting).
// Needs socat; without it the tests are skipped and say why.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FaultProxy,
  PtyBridge,
  Sim,
  cli,
  freshBundle,
  hasSocat,
  indexSeqs,
  typeAt,
} from "./e2e-helpers.js";

const SOCAT = hasSocat();
const title = SOCAT
  ? "e2e over a pseudo-terminal (mtdoops sim --pty, serialport)"
  : "e2e over a pseudo-terminal: SKIPPED because socat is not installed (apt-get install socat)";
if (!SOCAT) console.warn("test/e2e-pty.test.ts: " + title);

describe.skipIf(!SOCAT)(title, () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "mtdoops-e2e-pty-"));
  const tty = path.join(tmp, "ttyV0");
  const image = path.join(tmp, "linux-partition.img");
  const sim = new Sim();

  beforeAll(async () => {
    await sim.start(["--board", "linux", "--pty", tty, "--tcp", "0", "--bare", "--image", image]);
  }, 60_000);

  afterAll(async () => {
    expect(await sim.stop()).toBe(0);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("a board without the library, over the serial port", async () => {
    const r = await cli(["logs", "--port", tty, "--board", "linux", "--timeout", "1500"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `mtdoops: the board at ${tty} does not run espruino-mtdoops; install it with: mtdoops flash --board linux --port ${tty}\n`,
    );
  });

  it("a port another program holds: busy, one line", async () => {
    const { SerialPort } = await import("serialport");
    const held = new SerialPort({ path: tty, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => held.open((e) => (e ? rej(e) : res())));
    try {
      const r = await cli(["logs", "--port", tty]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `mtdoops: serial port ${tty} is busy: another program (a terminal, the Web IDE) has it open; close it and retry\n`,
      );
    } finally {
      await new Promise<void>((res) => held.close(() => res()));
    }
  });

  it("flash over the serial port, crash, retrieve, clear", async () => {
    const bundle = freshBundle("linux", path.join(tmp, "linux.js"));
    const f = await cli(["flash", "--board", "linux", "--port", tty, "--bundle", bundle], 180_000);
    expect(f.status, f.stderr).toBe(0);
    expect(f.stdout).toMatch(/installed on linux at .*ttyV0 as \.boot0/);
    await typeAt(sim.tcpPort, [
      'setTimeout(function(){ throw new Error("sensor offline"); }, 10)',
      'mtdoops.panic("stuck")',
    ]);
    const out = path.join(tmp, "logs");
    const r = await cli(["logs", "--port", tty, "--board", "linux", "--out", out, "--clear"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/=== seq \d+ · oops · .*\n[\s\S]*message: sensor offline/);
    expect(r.stdout).toMatch(/=== seq \d+ · panic · [\s\S]*message: stuck/);
    expect(r.stderr).toMatch(/saved 2 record\(s\)[\s\S]*freed 2 record\(s\)/);
    const again = await cli(["logs", "--port", tty]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/no records on the board/);
    // The simulator's image decodes with --board linux: the records, now freed.
    await new Promise((res) => setTimeout(res, 700));
    const d = await cli(["decode", image, "--board", "linux", "--json"]);
    expect(d.status, d.stderr).toBe(0);
    const recs = JSON.parse(d.stdout) as Array<{ reason: string; freed: boolean }>;
    expect(recs.filter((x) => x.reason !== "shutdown").map((x) => [x.reason, x.freed])).toEqual([
      ["oops", true],
      ["panic", true],
    ]);
  }, 240_000);

  for (const fault of [
    { kind: "flip", rec: 1 } as const,
    { kind: "drop", afterRecs: 1 } as const,
  ]) {
    it(`serial line ${fault.kind === "drop" ? "lost (the port vanishes and comes back)" : "noise"}: resumes, no duplicate, no loss`, async () => {
      await typeAt(sim.tcpPort, ["E.reboot()"], 500);
      await typeAt(
        sim.tcpPort,
        ["mtdoops.oops('p')", "mtdoops.oops('q')", "mtdoops.oops('r')"],
        200,
      );
      const proxy = new FaultProxy(sim.tcpPort, fault);
      const bridge = new PtyBridge(path.join(tmp, `ttyF-${fault.kind}`), await proxy.listen());
      await bridge.start();
      try {
        const out = path.join(tmp, `logs-${fault.kind}`);
        const r = await cli(["logs", "--port", bridge.link, "--out", out, "--clear", "--json"]);
        expect(r.status, r.stderr).toBe(0);
        expect(proxy.faults).toBe(1);
        expect(r.stderr).toMatch(/resuming after seq \d+: (the connection dropped|corrupt line)/);
        if (fault.kind === "drop") {
          expect(bridge.starts).toBeGreaterThanOrEqual(2);
          expect(r.stderr).toMatch(/reconnecting to/);
        }
        const recs = JSON.parse(r.stdout) as Array<{
          seq: number;
          reason: string;
          context: { msg?: string };
        }>;
        expect(recs.map((x) => x.reason)).toEqual(["shutdown", "oops", "oops", "oops"]);
        expect(recs.slice(1).map((x) => x.context.msg)).toEqual(["p", "q", "r"]);
        const [folder] = readdirSync(out);
        expect(indexSeqs(path.join(out, folder as string), (p) => readFileSync(p, "utf8"))).toEqual(
          recs.map((x) => x.seq),
        );
      } finally {
        await bridge.stop();
        await proxy.close();
      }
    }, 60_000);
  }
});
