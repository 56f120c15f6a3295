// Transport over a serial device (USB CDC, a USB-serial adapter, a pseudo-terminal) through
// the `serialport` package. Opening maps the OS errors to one clear sentence each.

import { statSync } from "node:fs";
import { SerialPort } from "serialport";
import { EventedTransport, TransportError, bytesToText, textToBytes } from "./transport.js";
import type { Transport } from "./transport.js";

export const DEFAULT_BAUD = 115200;

class SerialTransport extends EventedTransport implements Transport {
  readonly name: string;
  private readonly port: SerialPort;

  constructor(name: string, port: SerialPort) {
    super();
    this.name = name;
    this.port = port;
    port.on("data", (b: Buffer) => this.events.emitData(bytesToText(b)));
    port.on("error", (e: Error) => this.events.emitClose(e));
    port.on("close", (e: Error | null) => this.events.emitClose(e ?? undefined));
  }

  write(text: string): Promise<void> {
    if (this.events.closed || !this.port.isOpen) {
      return Promise.reject(new TransportError("EIO", `${this.name}: the port is closed`));
    }
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(textToBytes(text)), (err) => {
        if (err) {
          reject(new TransportError("EIO", `${this.name}: write failed: ${err.message}`));
          return;
        }
        this.port.drain((e2) => {
          if (e2) reject(new TransportError("EIO", `${this.name}: write failed: ${e2.message}`));
          else resolve();
        });
      });
    });
  }

  close(): Promise<void> {
    if (!this.port.isOpen) {
      this.events.emitClose();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.port.close(() => {
        this.events.emitClose();
        resolve();
      });
    });
  }
}

/** Turns an error from opening a serial port into one sentence naming the port and the remedy. */
export function serialOpenError(path: string, e: unknown): TransportError {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" || /no such file|cannot find|not found/i.test(msg)) {
    return new TransportError(
      "ENOENT",
      `serial port ${path} does not exist: check the cable and the port name (ls /dev/tty*)`,
    );
  }
  if (
    code === "EACCES" ||
    code === "EPERM" ||
    /permission denied|access denied|operation not permitted/i.test(msg)
  ) {
    return new TransportError(
      "EACCES",
      `permission denied opening ${path}: add your user to the port's group (e.g. sudo usermod -aG dialout $USER, then log in again)`,
    );
  }
  if (/cannot lock|resource temporarily unavailable|device or resource busy|busy/i.test(msg)) {
    return new TransportError(
      "EBUSY",
      `serial port ${path} is busy: another program (a terminal, the Web IDE) has it open; close it and retry`,
    );
  }
  return new TransportError(
    "EIO",
    `could not open serial port ${path}: ${msg.replace(/^Error:?\s*/, "")}`,
  );
}

/** Opens a serial device; rejects with a TransportError whose message is meant for the user. */
export async function openSerial(path: string, baudRate = DEFAULT_BAUD): Promise<Transport> {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw serialOpenError(path, e);
  }
  if (st.isDirectory() || st.isFile()) {
    throw new TransportError(
      "ENOENT",
      `${path} is not a serial device: give the board's port (e.g. /dev/ttyACM0) or tcp://host:port`,
    );
  }
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(serialOpenError(path, err)) : resolve()));
  });
  return new SerialTransport(path, port);
}
