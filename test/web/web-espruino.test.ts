// End to end on the real interpreter: the page, in Chromium, talks Web Serial to Espruino's
// Linux build (its console served on TCP 127.0.0.1:2323 with --telnet, bridged to the
// page's port by the harness), installs the logger, the app crashes, the interpreter is
// killed and started again (its flash, espruino.flash, stays in the working folder), and
// the page lists the records, downloads them and clears the board.
//
// Needs ESPRUINO_BIN (an Espruino Linux build); without it the test is skipped and says
// so, unless CI=true: then it fails. The only web test that uses port 2323.

import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  browserMissing,
  clickDownload,
  openBrowser,
  readZip,
  ROOT,
  screenshotPath,
  sleep,
  waitNotice,
} from "./harness.js";
import type { Browser, DeviceConsole } from "./harness.js";

const TELNET_PORT = 2323;

function interpreter(): string | null {
  const env = process.env["ESPRUINO_BIN"];
  const bin = env ? path.resolve(ROOT, env) : null;
  if (bin && existsSync(bin)) return bin;
  const why = env ? `ESPRUINO_BIN=${env} does not exist` : "ESPRUINO_BIN is not set";
  if (process.env["CI"] === "true")
    throw new Error(`${why}: the browser-to-Espruino test needs an Espruino Linux build`);
  console.warn(`web page test on the real interpreter skipped: ${why}`);
  return null;
}

const missing = browserMissing();
if (missing) console.warn("web page tests skipped: " + missing);
const BIN = missing ? null : interpreter();

function listening(): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(TELNET_PORT, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** espruino-linux --telnet in `cwd`: started, killed with SIGKILL, started again. */
class Espruino {
  private proc: ChildProcessWithoutNullStreams | null = null;
  constructor(
    private readonly bin: string,
    private readonly cwd: string,
  ) {}

  async start(): Promise<void> {
    // Another program on the port would get everything meant for this interpreter.
    if (await listening())
      throw new Error(
        `127.0.0.1:${TELNET_PORT} is already in use by another program: stop it and run the test again`,
      );
    const p = spawn(this.bin, ["--telnet"], { cwd: this.cwd, stdio: ["pipe", "pipe", "pipe"] });
    p.stdout.on("data", () => undefined);
    p.stderr.on("data", () => undefined);
    this.proc = p;
    const until = Date.now() + 10_000;
    for (;;) {
      if (await listening()) return;
      if (p.exitCode !== null) throw new Error(`espruino exited (${p.exitCode})`);
      if (Date.now() > until) throw new Error(`espruino did not serve 127.0.0.1:${TELNET_PORT}`);
      await sleep(100);
    }
  }

  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGKILL");
    });
    // The port is free again once the kernel closed the listening socket.
    for (let i = 0; i < 50 && (await listening()); i++) await sleep(100);
  }
}

/** The telnet console as a DeviceConsole: one TCP connection, made again after a restart. */
class TelnetConsole implements DeviceConsole {
  private socket: net.Socket | null = null;
  private readonly listeners = new Set<(t: string) => void>();

  private ensure(): net.Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const s = net.connect(TELNET_PORT, "127.0.0.1");
    s.setNoDelay(true);
    s.on("data", (d: Buffer) => {
      const t = d.toString("latin1");
      for (const l of this.listeners) l(t);
    });
    s.on("error", () => s.destroy());
    this.socket = s;
    return s;
  }

  input(text: string): void {
    this.ensure().write(Buffer.from(text, "latin1"));
  }

  subscribe(l: (t: string) => void): () => void {
    this.ensure();
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  drop(): void {
    this.socket?.destroy();
    this.socket = null;
  }
}

describe.skipIf(BIN === null)("web page on the real Espruino interpreter", () => {
  let b: Browser;
  let esp: Espruino;
  let cwd: string;
  const con = new TelnetConsole();
  beforeAll(async () => {
    cwd = mkdtempSync(path.join(os.tmpdir(), "mtdoops-web-espruino-"));
    esp = new Espruino(BIN as string, cwd);
    await esp.start();
    b = await openBrowser();
    b.bridge.device = con;
  }, 120_000);
  afterAll(async () => {
    con.drop();
    await b?.close();
    await esp?.kill();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it("installs, records a crash across a restart, lists, downloads and clears", async () => {
    const { page } = b;
    await page.click("#connect-serial");
    await waitNotice(page, /does not run the logger/, 30_000);
    await page.selectOption("#board", "linux");
    await page.click("#install");
    const installed = await waitNotice(page, /installed for .* and verified/, 90_000);
    expect(installed.kind).toBe("ok");

    // The app crashes (typed at the console while the page is not connected) ...
    con.input(
      '\x10setTimeout(function(){ console.log("about to fail"); throw new Error("real boom"); }, 10)\n',
    );
    await sleep(1500);
    // ... and the board is restarted: a new process on the same flash file.
    con.drop();
    await esp.kill();
    await esp.start();

    await page.click("#connect-serial");
    await waitNotice(page, /the logger .* runs on it/, 30_000);
    await page.click("#read");
    const read = await waitNotice(page, /Read \d+ record\(s\)/, 60_000);
    const n = Number(/Read (\d+) record/.exec(read.text)![1]);
    expect(n).toBeGreaterThanOrEqual(1);
    const reasons = await page.$$eval("#records-body tr td:nth-child(3)", (td) =>
      td.map((x) => x.textContent),
    );
    expect(reasons).toContain("oops");
    const seq = await page.$$eval("#records-body tr", (trs) =>
      trs
        .find((tr) => tr.querySelector("td:nth-child(3)")?.textContent === "oops")
        ?.getAttribute("data-seq"),
    );
    await page.click(`#records-body tr[data-seq="${seq}"]`);
    expect(await page.textContent("#detail-text")).toContain("real boom");
    await page.screenshot({ path: screenshotPath("espruino-records.png"), fullPage: true });

    const all = await clickDownload(page, "#download-all");
    expect(all.name).toMatch(/Z-linux\.zip$/);
    const files = readZip(all.data);
    const folder = all.name.replace(/\.zip$/, "");
    const index = JSON.parse(
      new TextDecoder().decode(files.get(`${folder}/index.json`)!),
    ) as Array<{ seq: number; files: { text: string; raw: string } }>;
    expect(index).toHaveLength(n);
    for (const e of index) {
      expect(e.files.text).toBe(`dmesg-mtdoops-${e.seq}.txt`);
      expect(files.has(`${folder}/${e.files.text}`)).toBe(true);
      expect(files.has(`${folder}/${e.files.raw}`)).toBe(true);
    }
    expect(new TextDecoder().decode(files.get(`${folder}/dmesg-mtdoops-${seq}.txt`)!)).toContain(
      "real boom",
    );

    await page.click("#clear");
    const cleared = await waitNotice(page, /Cleared \d+ record/, 60_000);
    expect(cleared.text).toContain(`Cleared ${n} record(s)`);
    await page.click("#read");
    await waitNotice(page, /has no records/, 60_000);
  }, 240_000);
});
