// `mtdoops flash`: build the board's bundle when needed, then have EspruinoTools upload it
// into the board's Storage as the boot file `.boot0` and restart into it (load()).
//
// EspruinoTools reports no progress outside its IDE, so the upload goes through a small
// local TCP relay: EspruinoTools connects to tcp://127.0.0.1:<relay>, the relay forwards to
// the real port over our own Transport (serial or TCP) and counts the bytes that reach the
// board: that is the progress bar, and the relay also lets us report a missing, busy or
// forbidden port in our own words before EspruinoTools starts. After the upload the relay
// asks the board whether `mtdoops` runs. Before EspruinoTools connects, the relay stops a
// logger that runs (STOP_LOGGER, src/boards/firmware-files.ts): its code may be read from
// the very files being replaced.

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { STOP_LOGGER } from "../boards/firmware-files.js";
import type { BoardDefinition } from "../boards/schema.js";
import { generateUploadCode, lastLines, runEspruinoTools, uploadArgs } from "./espruino-tools.js";
import { FlashToolError, ensureBundle } from "./firmware-build.js";
import { openPort } from "./open-transport.js";
import { RateMeter } from "./progress.js";
import type { UploadEvent } from "./progress.js";
import type { Transport } from "./transport.js";
import { bytesToText, textToBytes } from "./transport.js";

export interface FlashOptions {
  board: BoardDefinition;
  port?: string | undefined;
  /** Write the code EspruinoTools would send to this file (after the STOP_LOGGER lines); no port is touched. */
  dryRun?: string | undefined;
  baud?: number | undefined;
  /** A bundle to upload instead of firmware/dist/<board>.js (tests). */
  bundle?: string | undefined;
  onProgress?: ((e: UploadEvent) => void) | undefined;
  /** Opens the board's port (default: serial device or tcp://). */
  open?: ((port: string) => Promise<Transport>) | undefined;
  /** Whole-upload limit (default 15 min). */
  timeoutMs?: number | undefined;
}

export interface FlashResult {
  bundle: string;
  codeFile: string | null;
  bytes: number;
  seconds: number;
  /** The library's version the board reports after the restart, when it answered. */
  running: string | null;
}

/** The code that is sent: EspruinoTools' -o output, plus the print() it prefixes. */
const SEND_OVERHEAD = "\x10print()\n".length + 2;

export async function flashBoard(o: FlashOptions): Promise<FlashResult> {
  const emit = (e: UploadEvent): void => {
    try {
      o.onProgress?.(e);
    } catch {
      // the view's problem, not the upload's
    }
  };
  const bundle =
    o.bundle ??
    (await ensureBundle(o.board.id, () => emit({ type: "building", board: o.board.id })));
  const bundleBytes = statSync(bundle).size;
  emit({ type: "built", file: bundle, bytes: bundleBytes });

  if (o.dryRun !== undefined) {
    const out = path.resolve(o.dryRun);
    try {
      await generateUploadCode(bundle, out);
    } catch (e) {
      throw e instanceof FlashToolError
        ? e
        : new FlashToolError(`cannot write ${o.dryRun}: ${(e as Error).message}`);
    }
    emit({ type: "done" });
    return { bundle, codeFile: out, bytes: statSync(out).size, seconds: 0, running: null };
  }
  const port = o.port;
  if (!port) throw new FlashToolError("no --port given");

  const tmp = mkdtempSync(path.join(os.tmpdir(), "mtdoops-flash-"));
  try {
    const codeFile = path.join(tmp, "upload.js");
    await generateUploadCode(bundle, codeFile);
    const total = readFileSync(codeFile).length + SEND_OVERHEAD;

    emit({ type: "connecting", port });
    const device = await (o.open ?? ((p: string) => openPort(p, { baud: o.baud })))(port);
    const relay = new Relay(device, total, emit);
    try {
      const relayPort = await relay.listen();
      const boardJson = path.join(tmp, "board.json");
      // Skips EspruinoTools' board-JSON download on connect (it has no network here).
      writeFileSync(
        boardJson,
        JSON.stringify({ info: { builtin_modules: ["Flash", "Storage", "heatshrink"] } }),
      );
      await relay.stopLogger();
      const t0 = Date.now();
      const run = await runEspruinoTools(
        uploadArgs(bundle, path.join(tmp, "sent.js"), [
          "-p",
          `tcp://127.0.0.1:${relayPort}`,
          "--board",
          boardJson,
        ]),
        { cwd: tmp, timeoutMs: o.timeoutMs ?? 15 * 60_000, onOutput: (t) => relay.toolSaid(t) },
      );
      const seconds = (Date.now() - t0) / 1000;
      if (relay.deviceClosed) {
        throw new FlashToolError(
          `the connection to ${port} was lost during the upload; run mtdoops flash again`,
        );
      }
      if (
        run.code !== 0 ||
        /Unable to connect|Prompt not detected/i.test(run.output) ||
        relay.sent === 0
      ) {
        throw new FlashToolError(
          `EspruinoTools could not upload to ${port}: ${lastLines(run.output)}`,
        );
      }
      emit({ type: "uploading", sent: total, total, bytesPerSecond: relay.rate(), secondsLeft: 0 });
      emit({ type: "uploaded", bytes: relay.sent, seconds });
      const running = await relay.checkRunning();
      emit({ type: "done" });
      return { bundle, codeFile: null, bytes: relay.sent, seconds, running };
    } finally {
      await relay.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The local TCP relay between EspruinoTools and the board. */
class Relay {
  private readonly device: Transport;
  private readonly total: number;
  private readonly emit: (e: UploadEvent) => void;
  private server: net.Server | null = null;
  private client: net.Socket | null = null;
  private readonly meter = new RateMeter(3000);
  private chain: Promise<void> = Promise.resolve();
  private consoleText = "";
  private received = 0;
  sent = 0;
  deviceClosed = false;

  constructor(device: Transport, total: number, emit: (e: UploadEvent) => void) {
    this.device = device;
    this.total = total;
    this.emit = emit;
    device.onData((text) => {
      this.consoleText = (this.consoleText + text).slice(-8192);
      this.received += text.length;
      if (this.client && !this.client.destroyed) this.client.write(textToBytes(text));
    });
    device.onClose(() => {
      this.deviceClosed = true;
      this.client?.destroy();
    });
  }

  rate(): number {
    return this.meter.rate;
  }

  toolSaid(_text: string): void {
    // EspruinoTools' own output is kept by runEspruinoTools for error messages.
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => {
        if (this.client && !this.client.destroyed) {
          socket.destroy();
          return;
        }
        this.client = socket;
        socket.setNoDelay(true);
        socket.on("data", (b: Buffer) => {
          const text = bytesToText(b);
          this.chain = this.chain.then(async () => {
            if (this.deviceClosed) return;
            try {
              await this.device.write(text);
            } catch {
              this.deviceClosed = true;
              socket.destroy();
              return;
            }
            this.sent += text.length;
            this.meter.update(this.sent);
            const rate = this.meter.rate;
            const left = Math.max(0, this.total - this.sent);
            this.emit({
              type: "uploading",
              sent: Math.min(this.sent, this.total),
              total: this.total,
              bytesPerSecond: rate,
              secondsLeft: rate > 0 ? left / rate : null,
            });
          });
        });
        socket.on("error", () => socket.destroy());
      });
      server.on("error", reject);
      server.listen(0, "127.0.0.1", () => {
        this.server = server;
        const a = server.address();
        resolve(typeof a === "object" && a ? a.port : 0);
      });
    });
  }

  /**
   * Before EspruinoTools connects: stops a logger that runs (STOP_LOGGER says why) and
   * lets the board's restart finish. What the board prints meanwhile goes nowhere.
   */
  async stopLogger(): Promise<void> {
    for (const line of STOP_LOGGER) {
      try {
        await this.device.write("\x10" + line + "\n");
      } catch {
        this.deviceClosed = true;
        return;
      }
      await quiet(() => this.received, 400, 5000);
    }
  }

  /** After load(): asks the board for mtdoops.version; null when it does not answer. */
  async checkRunning(): Promise<string | null> {
    await this.chain;
    if (this.deviceClosed) return null;
    // Let load() finish and the boot code start.
    await quiet(() => this.received, 400, 5000);
    this.consoleText = "";
    try {
      await this.device.write(
        "\x10print('MTDOOPS_CHECK '+(typeof mtdoops=='object'&&mtdoops?mtdoops.version:'none'))\n",
      );
    } catch {
      return null;
    }
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const m = /MTDOOPS_CHECK (\S+)/.exec(this.consoleText);
      if (m && m[1]) {
        if (m[1] === "none") {
          const said = this.consoleText
            .split(/\r?\n/)
            .map((l) => l.trim())
            .filter((l) => l && !l.includes("MTDOOPS_CHECK") && l !== ">");
          throw new FlashToolError(
            "the upload finished but espruino-mtdoops did not start on the board" +
              (said.length ? `: ${said.slice(-2).join(" / ")}` : ""),
          );
        }
        return m[1];
      }
      await sleep(50);
    }
    return null;
  }

  async close(): Promise<void> {
    this.client?.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    try {
      await this.device.close();
    } catch {
      // already gone
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `size()` has not changed for `quietMs` (at most `maxMs`). */
async function quiet(size: () => number, quietMs: number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  let last = size();
  let since = Date.now();
  while (Date.now() < end) {
    await sleep(50);
    const now = size();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}
