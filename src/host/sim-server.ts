// Serving a console (the virtual board's REPL) to the outside world, as Espruino's Linux
// build does with --telnet, and on a pseudo-terminal so that serial tools (serialport,
// EspruinoTools, screen, the CLI) can open it like a USB board:
//   - TCP: every connection is the console; the board's output goes to each client;
//   - PTY: `socat -d -d PTY,link=<path>,raw,echo=0 STDIO`, its stdio bridged to the console.
//     When the last program closes the pty, socat ends; it is started again (a fresh pty at
//     the same link) until the server stops.

import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, lstatSync, unlinkSync } from "node:fs";
import net from "node:net";
import { bytesToText, textToBytes } from "./transport.js";

/** What a console server needs of a board. */
export interface ConsoleEndpoint {
  /** Text typed at the board (one char per byte). */
  input(text: string): void;
  /** Subscribes to what the board prints; returns the unsubscribe function. */
  onOutput(listener: (text: string) => void): () => void;
}

export class SimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SimError";
  }
}

export function socatAvailable(): boolean {
  const r = spawnSync("socat", ["-V"], { stdio: "ignore" });
  return r.status === 0;
}

/** A TCP console server. */
export class TcpConsoleServer {
  private server: net.Server | null = null;
  private readonly clients = new Set<net.Socket>();
  private unsubscribe: (() => void) | null = null;
  /** Called when a client connects or leaves (count of clients). */
  onClients: ((count: number) => void) | null = null;

  constructor(private readonly board: ConsoleEndpoint) {}

  get port(): number {
    const a = this.server?.address();
    return typeof a === "object" && a ? a.port : 0;
  }

  listen(port: number, host = "127.0.0.1"): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => {
        socket.setNoDelay(true);
        this.clients.add(socket);
        this.onClients?.(this.clients.size);
        socket.on("data", (b: Buffer) => this.board.input(bytesToText(b)));
        const gone = (): void => {
          if (this.clients.delete(socket)) this.onClients?.(this.clients.size);
        };
        socket.on("close", gone);
        socket.on("error", () => socket.destroy());
      });
      server.once("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EADDRINUSE")
          reject(new SimError(`TCP port ${port} is in use: pick another with --tcp <port>`));
        else if (e.code === "EACCES")
          reject(new SimError(`not allowed to listen on TCP port ${port}: use a port above 1023`));
        else reject(new SimError(`cannot listen on TCP port ${port}: ${e.message}`));
      });
      server.listen(port, host, () => {
        this.server = server;
        this.unsubscribe = this.board.onOutput((text) => {
          const bytes = textToBytes(text);
          for (const c of this.clients) if (!c.destroyed) c.write(bytes);
        });
        resolve(this.port);
      });
    });
  }

  /** Drops every client connection (a test's "cable pulled"). */
  dropClients(): void {
    for (const c of this.clients) c.destroy();
  }

  close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    const s = this.server;
    this.server = null;
    return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }
}

/** A pseudo-terminal console through socat, restarted whenever its user closes it. */
export class PtyConsole {
  private child: ChildProcess | null = null;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  /** The pty device behind the link, once socat said it. */
  device: string | null = null;
  onLog: ((line: string) => void) | null = null;

  constructor(
    private readonly board: ConsoleEndpoint,
    readonly link: string,
  ) {}

  /** Starts socat; resolves once the link exists. */
  async start(): Promise<void> {
    if (!socatAvailable()) {
      throw new SimError(
        "--pty needs socat, which is not installed: apt-get install socat (or brew install socat)",
      );
    }
    if (existsSync(this.link) || isDanglingLink(this.link)) {
      const st = lstatSync(this.link);
      if (!st.isSymbolicLink())
        throw new SimError(`${this.link} exists and is not a link: choose another --pty path`);
      unlinkSync(this.link);
    }
    this.unsubscribe = this.board.onOutput((text) => {
      const c = this.child;
      if (c && c.stdin && !c.stdin.destroyed) c.stdin.write(textToBytes(text));
    });
    await this.spawnOnce();
  }

  private spawnOnce(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn("socat", ["-d", "-d", `PTY,link=${this.link},raw,echo=0`, "STDIO"], {
        stdio: ["pipe", "pipe", "pipe"],
      });
      this.child = child;
      let settled = false;
      let err = "";
      const ready = (): void => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      child.stdout?.on("data", (b: Buffer) => this.board.input(bytesToText(b)));
      child.stdin?.on("error", () => {});
      child.stderr?.on("data", (b: Buffer) => {
        const t = b.toString();
        err += t;
        const m = /PTY is (\S+)/.exec(t);
        if (m && m[1]) this.device = m[1];
        for (const line of t.split("\n")) if (line.trim()) this.onLog?.(line.trim());
        if (/starting data transfer loop/.test(t)) ready();
      });
      child.on("error", (e) => {
        if (!settled) {
          settled = true;
          reject(new SimError(`cannot start socat: ${e.message}`));
        }
      });
      child.on("exit", (code) => {
        if (this.child === child) this.child = null;
        if (!settled) {
          settled = true;
          const last = err.trim().split("\n").pop() ?? "";
          reject(
            new SimError(
              `socat could not create the pty at ${this.link} (exit ${String(code)}): ${last.replace(/^.*? E /, "")}`,
            ),
          );
          return;
        }
        if (!this.stopped)
          this.restartTimer = setTimeout(() => void this.spawnOnce().catch(() => {}), 100);
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.unsubscribe?.();
    const c = this.child;
    this.child = null;
    if (c && c.exitCode === null) {
      await new Promise<void>((resolve) => {
        c.once("exit", () => resolve());
        c.kill("SIGTERM");
        setTimeout(() => {
          c.kill("SIGKILL");
          resolve();
        }, 1000).unref();
      });
    }
    if (
      isDanglingLink(this.link) ||
      (existsSync(this.link) && lstatSync(this.link).isSymbolicLink())
    ) {
      try {
        unlinkSync(this.link);
      } catch {
        // socat removed it
      }
    }
  }
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink() && !existsSync(p);
  } catch {
    return false;
  }
}
