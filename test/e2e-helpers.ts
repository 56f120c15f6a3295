// Helpers for the end-to-end tests: the real CLI as a child process (node --import tsx
// src/cli/main.ts), the simulator (`mtdoops sim`), a console client to make the board
// crash, and a TCP proxy that injects faults between the CLI and the board.

import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { firmwareFilesAt } from "../src/sim/virtual-board.js";
import { ensureBundleSync } from "../src/host/firmware-build.js";
import { FirmwareFile, FIRMWARE_FILES } from "../src/boards/firmware-files.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MAIN = path.join(ROOT, "src", "cli", "main.ts");

export function hasSocat(): boolean {
  return spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export function cli(args: string[], timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, MTDOOPS_DEBUG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

/** `mtdoops sim` running in a child process. */
export class Sim {
  private child: ChildProcess | null = null;
  out = "";
  tcpPort = 0;

  async start(args: string[]): Promise<void> {
    this.out = "";
    this.tcpPort = 0;
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "sim", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stderr?.on("data", (b: Buffer) => (this.out += b.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("sim did not start: " + this.out)), 30_000);
      child.stdout?.on("data", (b: Buffer) => {
        this.out += b.toString();
        const m = /console on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(this.out);
        if (m) this.tcpPort = Number(m[1]);
        if (/Ctrl-C stops/.test(this.out)) {
          clearTimeout(t);
          resolve();
        }
      });
      child.on("exit", (code) => {
        clearTimeout(t);
        reject(new Error(`sim exited (${String(code)}): ${this.out}`));
      });
    });
  }

  /** SIGTERM, and waits for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null> {
    const c = this.child;
    this.child = null;
    if (!c || c.exitCode !== null) return Promise.resolve(c?.exitCode ?? null);
    return new Promise((resolve) => {
      const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
      c.removeAllListeners("exit");
      c.on("exit", (code) => {
        clearTimeout(t);
        resolve(code);
      });
      c.kill("SIGTERM");
    });
  }
}

/** Types lines at the board's console over TCP and waits for each prompt. */
export async function typeAt(port: number, lines: string[], settleMs = 300): Promise<string> {
  const s = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    s.once("connect", () => resolve());
    s.once("error", reject);
  });
  let got = "";
  s.on("data", (b: Buffer) => (got += b.toString("latin1")));
  for (const line of lines) {
    s.write(line + "\n");
    await sleep(settleMs);
  }
  s.end();
  await sleep(50);
  return got;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A fresh bundle for `board`, written to `file` (the one firmware build's output, built
 * first when stale), with its modules beside it (<file minus .js>.mount.js, .read.js).
 */
export function freshBundle(boardId: string, file: string): string {
  const files = firmwareFilesAt(ensureBundleSync(boardId));
  const base = file.replace(/\.js$/, "");
  for (const [name, suffix] of FIRMWARE_FILES)
    writeFileSync(name === FirmwareFile.Boot ? file : base + suffix, files[name] ?? "");
  return file;
}

export type Fault =
  | { kind: "none" }
  /** Cut the connection after this many REC lines went to the host (first connection only). */
  | { kind: "drop"; afterRecs: number }
  /** Flip a bit in the middle of the REC line with this index (first connection only). */
  | { kind: "flip"; rec: number }
  /** Remove a few bytes from the middle of the REC line with this index (first connection only). */
  | { kind: "cut"; rec: number };

/** A TCP proxy in front of the board that injects one fault into the first connection. */
export class FaultProxy {
  private server: net.Server | null = null;
  connections = 0;
  faults = 0;

  constructor(
    private readonly target: number,
    private readonly fault: Fault,
  ) {}

  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.server = net.createServer((client) => {
        const n = ++this.connections;
        const board = net.connect(this.target, "127.0.0.1");
        client.on("data", (b: Buffer) => board.write(b));
        let pending = "";
        let recs = 0;
        board.on("data", (b: Buffer) => {
          if (n > 1 || this.fault.kind === "none") {
            client.write(b);
            return;
          }
          pending += b.toString("latin1");
          let nl = pending.indexOf("\n");
          while (nl >= 0) {
            let line = pending.slice(0, nl + 1);
            pending = pending.slice(nl + 1);
            if (line.includes("MTDOOPS:REC")) {
              const f = this.fault;
              if (f.kind === "drop" && recs === f.afterRecs) {
                this.faults++;
                client.destroy();
                board.destroy();
                return;
              }
              if ((f.kind === "flip" || f.kind === "cut") && recs === f.rec) {
                this.faults++;
                const i = Math.floor(line.length * 0.6);
                line =
                  f.kind === "flip"
                    ? line.slice(0, i) +
                      String.fromCharCode(line.charCodeAt(i) ^ 0x08) +
                      line.slice(i + 1)
                    : line.slice(0, i) + line.slice(i + 5);
              }
              recs++;
            }
            client.write(Buffer.from(line, "latin1"));
            nl = pending.indexOf("\n");
          }
          if (pending && !pending.includes("MTDOOPS:")) {
            client.write(Buffer.from(pending, "latin1"));
            pending = "";
          }
        });
        const end = (): void => {
          client.destroy();
          board.destroy();
        };
        client.on("close", end);
        board.on("close", end);
        client.on("error", end);
        board.on("error", end);
      });
      this.server.listen(0, "127.0.0.1", () => {
        const a = this.server?.address();
        resolve(typeof a === "object" && a ? a.port : 0);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** seqs of index.json in the one retrieval folder under `out` created after `before`. */
export function indexSeqs(folder: string, read: (p: string) => string): number[] {
  const idx = JSON.parse(read(path.join(folder, "index.json"))) as Array<{ seq: number }>;
  return idx.map((r) => r.seq);
}

/**
 * A pseudo-terminal in front of a TCP port (`socat PTY,link=<link>,raw,echo=0
 * TCP:127.0.0.1:<port>`), started again whenever it ends: when the TCP side drops, the pty
 * disappears and comes back, as a USB board that resets.
 */
export class PtyBridge {
  private child: ChildProcess | null = null;
  private stopped = false;
  starts = 0;

  constructor(
    readonly link: string,
    private readonly port: number,
  ) {}

  async start(): Promise<void> {
    await this.spawnOnce();
  }

  private spawnOnce(): Promise<void> {
    return new Promise((resolve) => {
      this.starts++;
      const c = spawn(
        "socat",
        ["-d", "-d", `PTY,link=${this.link},raw,echo=0`, `TCP:127.0.0.1:${this.port}`],
        {
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      this.child = c;
      let done = false;
      c.stderr?.on("data", (b: Buffer) => {
        if (!done && /starting data transfer loop/.test(b.toString())) {
          done = true;
          resolve();
        }
      });
      c.on("exit", () => {
        if (!done) {
          done = true;
          resolve();
        }
        if (!this.stopped) setTimeout(() => void this.spawnOnce(), 100);
      });
    });
  }

  stop(): Promise<void> {
    this.stopped = true;
    const c = this.child;
    if (!c || c.exitCode !== null) return Promise.resolve();
    return new Promise((r) => {
      c.once("exit", () => r());
      c.kill("SIGTERM");
    });
  }
}
