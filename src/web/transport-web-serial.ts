// Transport over Web Serial (navigator.serial): a USB board's console in the browser. The
// same Transport the CLI's serial and TCP transports implement (src/host/transport.ts), so
// the retrieval engine and the installer run unchanged over it.
//
// Chromium's errors (third_party/blink/renderer/modules/serial/serial_port.cc): open()
// rejects with NetworkError "Failed to open serial port." when the OS will not give the
// port (another program has it), InvalidStateError when this page already opened it;
// a read rejects with NetworkError "The device has been lost." when it is unplugged.

import { EventedTransport, TransportError, bytesToText, textToBytes } from "../host/transport.js";
import type { Connect, Transport } from "../host/transport.js";

export const BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600] as const;
export const DEFAULT_BAUD = 115200;

class WebSerialTransport extends EventedTransport implements Transport {
  readonly name: string;
  private readonly port: SerialPort;
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private closing = false;
  private readLoop: Promise<void> = Promise.resolve();

  constructor(name: string, port: SerialPort) {
    super();
    this.name = name;
    this.port = port;
  }

  start(): void {
    const readable = this.port.readable;
    const writable = this.port.writable;
    if (!readable || !writable) {
      this.events.emitClose(new TransportError("EIO", `${this.name}: the port has no streams`));
      return;
    }
    this.reader = readable.getReader();
    this.writer = writable.getWriter();
    this.readLoop = this.read(this.reader);
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value && value.length) this.events.emitData(bytesToText(value));
      }
      if (!this.closing) this.events.emitClose(new TransportError("EIO", "the port was closed"));
    } catch (e) {
      if (!this.closing)
        this.events.emitClose(new TransportError("EIO", lostMessage(this.name, e)));
    }
  }

  async write(text: string): Promise<void> {
    if (this.events.closed || !this.writer)
      throw new TransportError("EIO", `${this.name}: the connection is closed`);
    try {
      await this.writer.write(textToBytes(text));
    } catch (e) {
      const err = new TransportError("EIO", lostMessage(this.name, e));
      this.events.emitClose(err);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    try {
      await this.reader?.cancel();
    } catch {
      // a lost device cannot be cancelled
    }
    this.reader?.releaseLock();
    try {
      await this.writer?.close();
    } catch {
      // the stream is already errored
    }
    this.writer?.releaseLock();
    await this.readLoop;
    try {
      await this.port.close();
    } catch {
      // already closed, or the device is gone
    }
    this.events.emitClose();
  }
}

function lostMessage(name: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return `${name}: the connection was lost (${msg})`;
}

/** Turns an error from SerialPort.open() into one sentence for the user. */
export function webSerialOpenError(name: string, e: unknown): TransportError {
  const n = e instanceof DOMException || e instanceof Error ? e.name : "";
  if (n === "NetworkError") {
    return new TransportError(
      "EBUSY",
      `${name} is busy: another program (a terminal, the Espruino Web IDE, another tab) has it open; close it and try again`,
    );
  }
  if (n === "InvalidStateError")
    return new TransportError("EBUSY", `${name} is already open in this page`);
  if (n === "NotFoundError")
    return new TransportError("ENOENT", `${name} is gone: check the cable and connect again`);
  if (n === "SecurityError")
    return new TransportError("EACCES", `the browser does not allow this page to open ${name}`);
  const msg = e instanceof Error ? e.message : String(e);
  return new TransportError("EIO", `could not open ${name}: ${msg}`);
}

/** A name for a port: its USB ids when the browser tells them. */
export function serialPortName(port: SerialPort): string {
  const info = port.getInfo();
  if (info.usbVendorId !== undefined && info.usbProductId !== undefined) {
    const hex = (n: number): string => n.toString(16).padStart(4, "0");
    return `USB serial ${hex(info.usbVendorId)}:${hex(info.usbProductId)}`;
  }
  return "the serial port";
}

/** Opens `port` at `baudRate`; rejects with a TransportError meant for the user. */
export async function openWebSerial(
  port: SerialPort,
  baudRate: number,
  name = serialPortName(port),
): Promise<Transport> {
  try {
    await port.open({ baudRate, bufferSize: 65536 });
  } catch (e) {
    throw webSerialOpenError(name, e);
  }
  const t = new WebSerialTransport(name, port);
  t.start();
  return t;
}

/** A Connect for the retrieval engine and the installer: each call opens the chosen port again. */
export function webSerialConnector(port: SerialPort, baudRate: number): Connect {
  return () => openWebSerial(port, baudRate);
}
