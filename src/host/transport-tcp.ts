// Transport over TCP: Espruino's Linux build with --telnet, an Espruino WiFi board's telnet
// console, or the virtual board (`mtdoops sim --tcp`). Port strings: tcp://host[:port],
// default port 23 as EspruinoTools.

import net from "node:net";
import { EventedTransport, TransportError, bytesToText, textToBytes } from "./transport.js";
import type { Transport } from "./transport.js";

export interface TcpAddress {
  host: string;
  port: number;
}

/** Parses tcp://host[:port]; null when `spec` is not a tcp:// address. Throws on a bad one. */
export function parseTcpAddress(spec: string): TcpAddress | null {
  if (!/^tcp:\/\//i.test(spec)) return null;
  const rest = spec.slice(6).replace(/\/+$/, "");
  let port = 23;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:]+)(?::(\d+))?$/.exec(rest);
  if (!m || !m[1])
    throw new TransportError(
      "ENOENT",
      `bad TCP address ${JSON.stringify(spec)}: use tcp://host:port`,
    );
  const host = m[1];
  if (m[2] !== undefined) {
    port = Number(m[2]);
    if (!(port >= 1 && port <= 65535)) {
      throw new TransportError(
        "ENOENT",
        `bad TCP port in ${JSON.stringify(spec)}: use a number from 1 to 65535`,
      );
    }
  }
  return { host, port };
}

class TcpTransport extends EventedTransport implements Transport {
  readonly name: string;
  private readonly socket: net.Socket;

  constructor(name: string, socket: net.Socket) {
    super();
    this.name = name;
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (b: Buffer) => this.events.emitData(bytesToText(b)));
    socket.on("error", (e) => this.events.emitClose(e));
    socket.on("close", () => this.events.emitClose());
  }

  write(text: string): Promise<void> {
    if (this.events.closed || this.socket.destroyed) {
      return Promise.reject(new TransportError("EIO", `${this.name}: the connection is closed`));
    }
    return new Promise((resolve, reject) => {
      this.socket.write(textToBytes(text), (err) => {
        if (err) reject(new TransportError("EIO", `${this.name}: write failed: ${err.message}`));
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.socket.destroyed) {
      this.events.emitClose();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        this.events.emitClose();
        resolve();
      };
      this.socket.once("close", done);
      this.socket.end();
      // A peer that never answers the FIN: do not wait for it.
      setTimeout(() => {
        this.socket.destroy();
        done();
      }, 500).unref();
    });
  }
}

/** Connects to tcp://host:port; the error names the address and what to check. */
export function openTcp(spec: string, timeoutMs = 5000): Promise<Transport> {
  const addr = parseTcpAddress(spec);
  if (!addr) return Promise.reject(new TransportError("ENOENT", `${spec} is not a tcp:// address`));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: addr.host, port: addr.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new TransportError(
          "EIO",
          `could not connect to ${spec} within ${timeoutMs} ms: check the address and that the board is on`,
        ),
      );
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(new TcpTransport(spec, socket));
    });
    socket.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (e.code === "ECONNREFUSED") {
        reject(
          new TransportError(
            "ENOENT",
            `nothing listens at ${spec} (connection refused): check the address and that the board or simulator runs`,
          ),
        );
      } else if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") {
        reject(new TransportError("ENOENT", `unknown host in ${spec}: check the address`));
      } else if (e.code === "EACCES" || e.code === "EPERM") {
        reject(new TransportError("EACCES", `not allowed to connect to ${spec}`));
      } else {
        reject(new TransportError("EIO", `could not connect to ${spec}: ${e.message}`));
      }
    });
  });
}
