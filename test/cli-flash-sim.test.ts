import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { BufferStream } from "../src/cli/io.js";
import type { CliIo } from "../src/cli/io.js";
import { ProgressView } from "../src/cli/render.js";
import { bundleStale } from "../src/host/firmware-build.js";
import { ROOT, hasSocat } from "./e2e-helpers.js";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "mtdoops-cli2-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function io(signal?: AbortSignal): CliIo & { out: BufferStream; err: BufferStream } {
  const out = new BufferStream();
  const err = new BufferStream();
  return { stdout: out, stderr: err, env: {}, cwd: ROOT, out, err, signal };
}

async function run(argv: string[]) {
  const i = io();
  const status = await main(argv, i);
  return { status, stdout: i.out.text, stderr: i.err.text };
}

describe("flash: the bundle and its sources", () => {
  it("a bundle is rebuilt when missing or older than its sources", () => {
    const root = tmp();
    for (const d of ["firmware/dist", "src/core", "src/codec", "src/boards", "boards", "scripts"]) {
      mkdirSync(path.join(root, d), { recursive: true });
    }
    const src = path.join(root, "firmware", "main.ts");
    const bundle = path.join(root, "firmware", "dist", "x.js");
    writeFileSync(src, "x");
    expect(bundleStale("x", root)).toBe("missing");
    writeFileSync(bundle, "y");
    const old = new Date(Date.now() - 60_000);
    utimesSync(src, old, old);
    // The files beside the boot file are part of the firmware.
    expect(bundleStale("x", root)).toBe("missing");
    writeFileSync(path.join(root, "firmware", "dist", "x.core.js"), "c");
    expect(bundleStale("x", root)).toBe("missing");
    writeFileSync(path.join(root, "firmware", "dist", "x.mount.js"), "m");
    expect(bundleStale("x", root)).toBe("missing");
    writeFileSync(path.join(root, "firmware", "dist", "x.read.js"), "r");
    // Without the build's list of what it read, nothing says the bundle is current.
    expect(bundleStale("x", root)).toBe("missing its list of inputs");
    writeFileSync(
      path.join(root, "firmware", "dist", "x.inputs.json"),
      JSON.stringify({ inputs: ["firmware/main.ts"] }),
    );
    expect(bundleStale("x", root)).toBeNull();
    utimesSync(bundle, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    expect(bundleStale("x", root)).toBe("older than its sources");
    writeFileSync(
      path.join(root, "firmware", "dist", "x.inputs.json"),
      JSON.stringify({ inputs: ["firmware/renamed.ts"] }),
    );
    expect(bundleStale("x", root)).toBe("older than its sources (firmware/renamed.ts is gone)");
  });
});

describe("mtdoops flash: errors and dry run", () => {
  it("--dry-run writes the code EspruinoTools would send", async () => {
    const d = tmp();
    const bundle = path.join(d, "b.js");
    writeFileSync(bundle, 'print("hello from the bundle");\n');
    const out = path.join(d, "sent.js");
    const r = await run(["flash", "--board", "puckjs", "--dry-run", out, "--bundle", bundle]);
    expect(r.status, r.stderr).toBe(0);
    const code = readFileSync(out, "latin1");
    expect(code).toBe(
      'require("Storage").write(".boot0",atob("cHJpbnQoImhlbGxvIGZyb20gdGhlIGJ1bmRsZSIpOwo="),0,32)\nload()\n',
    );
    // With its modules beside it, they are uploaded too, before the load().
    writeFileSync(path.join(d, "b.mount.js"), "1;\n");
    writeFileSync(path.join(d, "b.read.js"), "2;\n");
    const r2 = await run(["flash", "--board", "puckjs", "--dry-run", out, "--bundle", bundle]);
    expect(r2.status, r2.stderr).toBe(0);
    const code2 = readFileSync(out, "latin1");
    expect(code2).toContain('require("Storage").write(".mtdmount",atob("MTsK"),0,3)');
    expect(code2).toContain('require("Storage").write(".mtdread",atob("MjsK"),0,3)');
    expect(code2).toMatch(/load\(\)\n$/);
  });

  it("a missing port is reported before EspruinoTools starts", async () => {
    const d = tmp();
    const bundle = path.join(d, "b.js");
    writeFileSync(bundle, "print(1);\n");
    const r = await run([
      "flash",
      "--board",
      "puckjs",
      "--port",
      "/dev/ttyNOPE9",
      "--bundle",
      bundle,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "mtdoops: serial port /dev/ttyNOPE9 does not exist: check the cable and the port name (ls /dev/tty*)\n",
    );
  });

  it("unknown board, missing bundle: one line, status 1", async () => {
    let r = await run(["flash", "--board", "puck", "--port", "/dev/ttyX"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^mtdoops: unknown board "puck"; known boards: .*puckjs.*\n$/);
    r = await run([
      "flash",
      "--board",
      "puckjs",
      "--port",
      "/dev/ttyX",
      "--bundle",
      "/nonexistent.js",
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot read the bundle/);
  });
});

describe("mtdoops sim (in process)", () => {
  it("serves the console on TCP until stopped; logs talks to it", async () => {
    const ac = new AbortController();
    const i = io(ac.signal);
    const done = main(["sim", "--board", "pico", "--tcp", "0"], i);
    let port = 0;
    for (let t = 0; t < 200 && !port; t++) {
      await new Promise((r) => setTimeout(r, 25));
      const m = /tcp:\/\/127\.0\.0\.1:(\d+)/.exec(i.out.text);
      if (m) port = Number(m[1]);
    }
    expect(port).toBeGreaterThan(0);
    const l = await run(["logs", "--port", `tcp://127.0.0.1:${port}`, "--out", tmp()]);
    expect(l.status, l.stderr).toBe(0);
    expect(l.stderr).toMatch(
      /board pico: 8 slots of 1024 bytes, boot 1, next seq 1\nno records on the board/,
    );
    ac.abort();
    expect(await done).toBe(0);
    expect(i.out.text).toMatch(/virtual board stopped/);
  });

  it("a TCP port in use, a bad image, a bad pty path: one line, status 1", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const busy = (server.address() as net.AddressInfo).port;
    try {
      let r = await run(["sim", "--tcp", String(busy)]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `mtdoops: TCP port ${busy} is in use: pick another with --tcp <port>\n`,
      );
      const img = path.join(tmp(), "wrong.img");
      writeFileSync(img, Buffer.alloc(100));
      r = await run(["sim", "--board", "puckjs", "--tcp", "0", "--image", img]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/wrong\.img is 100 bytes but board puckjs's partition is 12288/);
      if (hasSocat()) {
        r = await run(["sim", "--pty", "/nonexistent-dir/tty0"]);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(
          /^mtdoops: socat could not create the pty at \/nonexistent-dir\/tty0/,
        );
        expect(r.stderr.trim().split("\n").length).toBe(1);
      }
    } finally {
      server.close();
    }
  });
});

describe("progress rendering", () => {
  it("a bar redrawn in place on a terminal", () => {
    const s = new BufferStream(true);
    const v = new ProgressView(s);
    v.retrieve({ type: "connecting", port: "/dev/ttyACM0", attempt: 1 });
    v.retrieve({ type: "receiving", records: 2, bytes: 3000, bytesPerSecond: 1500 });
    v.retrieve({ type: "saved", seq: 1, path: "/x" });
    v.retrieve({ type: "done", records: 2, folder: null, newestSeq: 2, cleared: null });
    const ESC = String.fromCharCode(27);
    expect(s.text).toContain(`\r${ESC}[2Kconnecting to /dev/ttyACM0`);
    expect(s.text).toContain(`\r${ESC}[2Kreceiving `);
    expect(s.text).toContain(" 2 record(s)  2.9 KB  1.5 KB/s");
    expect(s.text).not.toMatch(/saved seq/);
    const u = new BufferStream(true);
    const w = new ProgressView(u);
    w.upload({ type: "uploading", sent: 500, total: 1000, bytesPerSecond: 100, secondsLeft: 5 });
    expect(u.text).toContain(
      "uploading " + "█".repeat(12) + "░".repeat(12) + " 50%  500 B/1000 B  100 B/s  5s left",
    );
  });

  it("plain lines otherwise, no control characters", () => {
    const s = new BufferStream(false);
    const v = new ProgressView(s);
    v.retrieve({ type: "connecting", port: "/dev/ttyACM0", attempt: 1 });
    v.retrieve({ type: "receiving", records: 0, bytes: 10, bytesPerSecond: 0 });
    v.retrieve({ type: "saved", seq: 1, path: "/x/dmesg-mtdoops-1.txt" });
    v.retrieve({ type: "resumed", fromSeq: 1, why: "corrupt line (REC CRC mismatch)", attempt: 1 });
    v.retrieve({ type: "connecting", port: "/dev/ttyACM0", attempt: 2 });
    expect(s.text).toBe(
      "saved seq 1: /x/dmesg-mtdoops-1.txt\nresuming after seq 1: corrupt line (REC CRC mismatch)\nreconnecting to /dev/ttyACM0 (attempt 2)\n",
    );
  });
});
