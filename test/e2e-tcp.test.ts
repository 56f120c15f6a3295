// End to end over TCP: `mtdoops sim --tcp 0` (a virtual board in a child process, its
// console on a TCP port as Espruino's --telnet), driven by the real CLI in child
// processes: a board without the library, `mtdoops flash` through EspruinoTools, crashes
// typed at the console, `mtdoops logs` with --clear, and retrievals through a proxy that
// drops the connection or damages REC lines.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultProxy, Sim, cli, freshBundle, indexSeqs, typeAt } from "./e2e-helpers.js";

const CRASHES = [
  'setTimeout(function(){ var s; console.log("t=" + s.celsius); }, 10)',
  'mtdoops.oops("battery low")',
  'setTimeout(function(){ JSON.parse("{bad"); }, 10)',
  'mtdoops.note("about to panic"); mtdoops.panic("main loop stuck")',
];

describe("e2e over TCP (mtdoops sim --tcp)", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "mtdoops-e2e-tcp-"));
  const sim = new Sim();
  let port = "";

  beforeAll(async () => {
    await sim.start([
      "--board",
      "puckjs",
      "--tcp",
      "0",
      "--bare",
      "--image",
      path.join(tmp, "flash.img"),
    ]);
    port = `tcp://127.0.0.1:${sim.tcpPort}`;
  }, 60_000);

  afterAll(async () => {
    const code = await sim.stop();
    expect(code).toBe(0);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("a board without the library: the install hint, exit 1", async () => {
    const r = await cli(["logs", "--port", port, "--board", "puckjs", "--timeout", "1500"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `mtdoops: the board at ${port} does not run espruino-mtdoops; install it with: mtdoops flash --board puckjs --port ${port}\n`,
    );
  });

  it("flash --dry-run writes EspruinoTools' code and touches no port", async () => {
    const bundle = freshBundle("puckjs", path.join(tmp, "puckjs.js"));
    const out = path.join(tmp, "upload.js");
    const r = await cli(["flash", "--board", "puckjs", "--dry-run", out, "--bundle", bundle]);
    expect(r.status, r.stderr).toBe(0);
    const code = readFileSync(out, "latin1");
    expect(code).toMatch(/^require\("Storage"\)\.write\("\.boot0",atob\("/);
    expect(code.trimEnd().endsWith("load()")).toBe(true);
    expect(r.stdout).toMatch(/no port was used/);
  });

  it("flash uploads the firmware as .boot0 through EspruinoTools; the board then answers", async () => {
    const bundle = freshBundle("puckjs", path.join(tmp, "puckjs.js"));
    const r = await cli(
      ["flash", "--board", "puckjs", "--port", port, "--bundle", bundle],
      180_000,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /espruino-mtdoops \S+ installed on puckjs at tcp:\/\/127\.0\.0\.1:\d+ as \.boot0/,
    );
    const l = await cli(["logs", "--port", port, "--out", path.join(tmp, "logs0")]);
    expect(l.status, l.stderr).toBe(0);
    expect(l.stderr).toMatch(/no records on the board/);
  }, 240_000);

  it("crash, retrieve, clear: every record once, then none", async () => {
    await typeAt(sim.tcpPort, CRASHES);
    const out = path.join(tmp, "logs1");
    const r = await cli([
      "logs",
      "--port",
      port,
      "--board",
      "puckjs",
      "--out",
      out,
      "--clear",
      "--json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const recs = JSON.parse(r.stdout) as Array<{
      seq: number;
      reason: string;
      text: string;
      context: { msg?: string };
    }>;
    expect(recs.map((x) => x.reason)).toEqual(["oops", "oops", "oops", "panic"]);
    expect(recs[0]?.text).toMatch(/Uncaught TypeError/);
    expect(recs[1]?.context.msg).toBe("battery low");
    expect(recs[3]?.context.msg).toBe("main loop stuck");
    const [folder] = readdirSync(out);
    expect(folder).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-puckjs$/);
    const dir = path.join(out, folder as string);
    expect(indexSeqs(dir, (p) => readFileSync(p, "utf8"))).toEqual(recs.map((x) => x.seq));
    expect(readdirSync(dir).filter((f) => f.endsWith(".txt")).length).toBe(4);
    expect(r.stderr).toMatch(/freed 4 record\(s\) on the board/);
    const again = await cli(["logs", "--port", port, "--out", out]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/no records on the board/);
  }, 60_000);

  for (const fault of [
    { kind: "drop", afterRecs: 2 } as const,
    { kind: "flip", rec: 1 } as const,
    { kind: "cut", rec: 3 } as const,
  ]) {
    it(`resumes after an injected fault (${fault.kind}): no duplicate, no loss`, async () => {
      // A new boot (a boot writes at most 8 records): E.reboot() leaves a shutdown record.
      await typeAt(sim.tcpPort, ["E.reboot()"], 500);
      await typeAt(
        sim.tcpPort,
        [
          "mtdoops.oops('a')",
          "mtdoops.oops('b')",
          "mtdoops.oops('c')",
          "mtdoops.oops('d')",
          "mtdoops.oops('e')",
        ],
        200,
      );
      const proxy = new FaultProxy(sim.tcpPort, fault);
      const proxyPort = await proxy.listen();
      try {
        const out = path.join(tmp, `logs-${fault.kind}`);
        const r = await cli([
          "logs",
          "--port",
          `tcp://127.0.0.1:${proxyPort}`,
          "--out",
          out,
          "--clear",
          "--json",
        ]);
        expect(r.status, r.stderr).toBe(0);
        expect(proxy.faults).toBe(1);
        expect(r.stderr).toMatch(/resuming after seq \d+: (the connection dropped|corrupt line)/);
        if (fault.kind === "drop") expect(proxy.connections).toBe(2);
        const recs = JSON.parse(r.stdout) as Array<{
          seq: number;
          reason: string;
          context: { msg?: string };
        }>;
        expect(recs.map((x) => x.reason)).toEqual([
          "shutdown",
          "oops",
          "oops",
          "oops",
          "oops",
          "oops",
        ]);
        expect(recs.map((x) => x.context.msg).slice(1)).toEqual(["a", "b", "c", "d", "e"]);
        const seqs = recs.map((x) => x.seq);
        expect(new Set(seqs).size).toBe(6);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        const [folder] = readdirSync(out);
        expect(indexSeqs(path.join(out, folder as string), (p) => readFileSync(p, "utf8"))).toEqual(
          seqs,
        );
        expect(r.stderr).toMatch(/freed 6 record\(s\)/);
      } finally {
        await proxy.close();
      }
    }, 60_000);
  }

  it("--image keeps the records across a restart of the simulator", async () => {
    await typeAt(sim.tcpPort, ["mtdoops.oops('kept')"]);
    await new Promise((r) => setTimeout(r, 800)); // the image is saved every 500 ms
    expect(await sim.stop()).toBe(0);
    await sim.start(["--board", "puckjs", "--tcp", "0", "--image", path.join(tmp, "flash.img")]);
    port = `tcp://127.0.0.1:${sim.tcpPort}`;
    const r = await cli(["logs", "--port", port, "--json", "--out", path.join(tmp, "logs-image")]);
    expect(r.status, r.stderr).toBe(0);
    const recs = JSON.parse(r.stdout) as Array<{ reason: string; context: { msg?: string } }>;
    expect(recs.map((x) => x.context.msg)).toContain("kept");
  }, 60_000);
});
