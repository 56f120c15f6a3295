// The web page tests' harness: Debian's chromium driven by playwright-core, the page as
// `npm run build:web` builds it served over http://127.0.0.1, and a bridge that gives the
// page's real navigator.serial / navigator.bluetooth calls a device on the Node side (the
// virtual board, the real interpreter over its --telnet port, or a scripted console).
//
// Only this harness replaces the browser APIs (fake-navigator.ts, an init script); the page
// code is the shipped bundle. Without chromium the tests skip and say so, unless CI=true:
// then they fail.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { installFakeNavigator } from "./fake-navigator.js";
import type { FakeOptions } from "./fake-navigator.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const OUT = path.join(ROOT, "test-output", "web");
export const CHROMIUM = process.env["CHROMIUM_BIN"] ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why the browser tests cannot run here, or null. With CI=true a missing browser is a failure. */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `${CHROMIUM} not found: the web page tests need Debian's chromium (apt-get install chromium)`;
  if (process.env["CI"] === "true") throw new Error(why);
  return why;
}

// ---- the page, built once per source state ----

function sourcesStamp(): string {
  const h = createHash("sha256");
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const n of readdirSync(p).sort()) {
        if (n === "dist" || n === "node_modules" || n.startsWith(".")) continue;
        walk(path.join(p, n));
      }
    } else h.update(`${p}:${st.size}:${st.mtimeMs}\n`);
  };
  for (const d of ["src", "firmware", "boards", "scripts", "vite.config.ts", "package.json"])
    walk(path.join(ROOT, d));
  return h.digest("hex");
}

/** Builds the page with the project's Vite build (once for the current sources); returns the folder. */
export async function builtPage(): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const site = path.join(OUT, "site");
  const stampFile = path.join(OUT, "site.stamp");
  const lock = path.join(OUT, "build.lock");
  const stamp = sourcesStamp();
  const fresh = (): boolean =>
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8") === stamp &&
    existsSync(path.join(site, "index.html"));
  for (let i = 0; i < 1200; i++) {
    if (fresh()) return site;
    try {
      mkdirSync(lock);
    } catch {
      // another test file is building it: wait (a lock older than 3 min is stale)
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (fresh()) return site;
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, "node_modules", "vite", "bin", "vite.js"),
          "build",
          "--config",
          "vite.config.ts",
          "--logLevel",
          "error",
        ],
        {
          cwd: ROOT,
          env: { ...process.env, MTDOOPS_WEB_OUT: site },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      writeFileSync(stampFile, stamp);
      return site;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  throw new Error("timed out waiting for the page build");
}

// ---- a static server ----

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".map": "application/json",
};

export async function serve(
  dir: string,
): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    const rel =
      path.normalize(decodeURIComponent(u.pathname)).replace(/^[/\\]+/, "") || "index.html";
    const file = path.join(dir, rel);
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const a = server.address();
  const port = typeof a === "object" && a ? a.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// ---- devices on the Node side ----

/** A console the page can talk to: text in, text out (one char per byte). */
export interface DeviceConsole {
  input(text: string): void;
  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (text: string) => void): () => void;
}

export type ChooserAnswer = "device" | "cancel";

/** What the fake navigator does when the page asks; the tests change it between steps. */
export class DeviceBridge {
  device: DeviceConsole | null = null;
  chooser: ChooserAnswer = "device";
  /** The next open() fails as Chromium's does for a port another program holds. */
  busy = false;
  /** Every write the page made, in order (one char per byte). */
  written = "";
  /** Largest single Bluetooth write. */
  largestBleWrite = 0;
  /** Called with the running total of bytes the page wrote (to unplug mid-transfer). */
  onWritten: ((total: number) => void) | null = null;
  private page: Page | null = null;
  private unsub: (() => void) | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private pending = "";
  opens = 0;
  unplugged = false;

  async attach(context: BrowserContext, options: FakeOptions = {}): Promise<void> {
    await context.exposeBinding("__mtdBridge", async (_source, op: string, arg: string) =>
      this.handle(op, arg),
    );
    await context.addInitScript(installFakeNavigator, options);
  }

  setPage(page: Page): void {
    this.page = page;
  }

  private async handle(op: string, arg: string): Promise<unknown> {
    switch (op) {
      case "choose":
        if (this.chooser === "cancel")
          return { error: "NotFoundError", message: "No port selected by the user." };
        return { ok: true };
      case "open":
        if (this.busy) return { error: "NetworkError", message: "Failed to open serial port." };
        if (this.unplugged || !this.device)
          return { error: "NetworkError", message: "The device has been lost." };
        this.opens++;
        this.unsub?.();
        this.unsub = this.device.subscribe((text) => this.toPage(text));
        return { ok: true };
      case "write":
      case "blewrite": {
        if (this.unplugged || !this.device)
          return { error: "NetworkError", message: "The device has been lost." };
        if (op === "blewrite") this.largestBleWrite = Math.max(this.largestBleWrite, arg.length);
        this.written += arg;
        this.device.input(arg);
        this.onWritten?.(this.written.length);
        return { ok: true };
      }
      case "close":
        this.unsub?.();
        this.unsub = null;
        return { ok: true };
      default:
        return { error: "NotSupportedError", message: "unknown op " + op };
    }
  }

  private toPage(text: string): void {
    this.pending += text;
    this.chain = this.chain.then(async () => {
      const t = this.pending;
      this.pending = "";
      if (!t || !this.page || this.page.isClosed()) return;
      await this.page
        .evaluate((s) => (window as unknown as { __mtdPush(s: string): void }).__mtdPush(s), t)
        .catch(() => undefined);
    });
  }

  /** Pulls the cable: the read in the page fails as Chromium's does, and the port cannot be opened again. */
  async unplug(): Promise<void> {
    this.unplugged = true;
    this.unsub?.();
    this.unsub = null;
    await this.chain;
    await this.page
      ?.evaluate(() => (window as unknown as { __mtdLost(): void }).__mtdLost())
      .catch(() => undefined);
  }

  /** Output still queued for the page has been delivered. */
  async flushed(): Promise<void> {
    await this.chain;
  }

  detach(): void {
    this.unsub?.();
    this.unsub = null;
  }
}

// ---- the browser ----

export interface Browser {
  context: BrowserContext;
  page: Page;
  bridge: DeviceBridge;
  baseUrl: string;
  port: number;
  /** Loads the page again at `url` (default: the served page) and waits until it started. */
  load(url?: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(
  options: FakeOptions & {
    viewport?: { width: number; height: number };
    /** The page's address from the server's port (default http://127.0.0.1:<port>/). */
    url?: (port: number) => string;
    extraArgs?: string[];
  } = {},
): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  const site = await builtPage();
  const server = await serve(site);
  const profile = mkdtempSync(path.join(os.tmpdir(), "mtdoops-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(options.extraArgs ?? [])],
    viewport: options.viewport ?? { width: 1366, height: 900 },
    acceptDownloads: true,
  });
  const bridge = new DeviceBridge();
  if (options.fake !== false) await bridge.attach(context, options);
  const page = context.pages()[0] ?? (await context.newPage());
  bridge.setPage(page);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const load = async (url = server.url): Promise<void> => {
    await page.goto(url);
    await page.waitForSelector("body[data-ready='1']", { timeout: 15_000 }).catch((e: unknown) => {
      throw new Error(`the page did not start: ${errors.join("; ") || String(e)}`);
    });
  };
  await load(options.url ? options.url(server.port) : server.url);
  return {
    context,
    page,
    bridge,
    baseUrl: server.url,
    port: server.port,
    load,
    async close() {
      bridge.detach();
      await context.close().catch(() => undefined);
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(OUT, { recursive: true });
  return path.join(OUT, name);
}

/** The notice's kind and text once it contains `match`. */
export async function waitNotice(
  page: Page,
  match: RegExp,
  timeoutMs = 30_000,
): Promise<{ kind: string; text: string }> {
  const end = Date.now() + timeoutMs;
  let last = { kind: "", text: "" };
  while (Date.now() < end) {
    last = await page.evaluate(() => {
      const n = document.getElementById("notice") as HTMLElement;
      return {
        kind: n.hidden ? "" : (n.dataset["kind"] ?? ""),
        text: n.hidden ? "" : (document.getElementById("notice-text")?.textContent ?? ""),
      };
    });
    if (match.test(last.text)) return last;
    // An error that is not the one awaited ends the wait at once.
    if (last.kind === "error") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`notice ${match} did not appear; last: [${last.kind}] ${last.text}`);
}

// ---- devices ----

/** The virtual board's console as a DeviceConsole. */
export function virtualConsole(vb: {
  input(text: string): void;
  onOutput(l: (t: string) => void): void;
  offOutput(l: (t: string) => void): void;
}): DeviceConsole {
  return {
    input: (t) => vb.input(t),
    subscribe: (l) => {
      vb.onOutput(l);
      return () => vb.offOutput(l);
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The entries of a zip of stored entries (what the page writes): name -> bytes. */
export function readZip(data: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  while (at + 30 <= data.length && v.getUint32(at, true) === 0x04034b50) {
    if (v.getUint16(at + 8, true) !== 0) throw new Error("compressed zip entry");
    const size = v.getUint32(at + 18, true);
    const nameLen = v.getUint16(at + 26, true);
    const extra = v.getUint16(at + 28, true);
    const name = new TextDecoder().decode(data.subarray(at + 30, at + 30 + nameLen));
    const start = at + 30 + nameLen + extra;
    out.set(name, data.slice(start, start + size));
    at = start + size;
  }
  return out;
}

/** Clicks `selector` and returns the download it starts: suggested name and bytes. */
export async function clickDownload(
  page: Page,
  selector: string,
): Promise<{ name: string; data: Uint8Array }> {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  const file = await dl.path();
  return { name: dl.suggestedFilename(), data: new Uint8Array(readFileSync(file)) };
}
