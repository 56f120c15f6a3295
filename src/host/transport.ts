// The byte pipe between the host tools and a board's console: a serial port, a TCP socket
// (Espruino's --telnet, the virtual board), Web Serial in the page, or an in-process pipe.
// The retrieval engine (retrieve.ts) knows only this interface, so it stays free of Node and
// of the DOM.
//
// Text is "binary" text: one char per byte (latin1), both ways, so no byte is lost or
// changed whatever the board prints. Protocol lines are ASCII.

export interface Transport {
  /** A name for messages: "/dev/ttyACM0", "tcp://127.0.0.1:2323". */
  readonly name: string;
  /** Sends bytes (one char per byte). Resolves once they are handed to the OS / device. */
  write(text: string): Promise<void>;
  /** Calls `listener` with each piece of received text. Returns a function that unsubscribes. */
  onData(listener: (text: string) => void): () => void;
  /**
   * Calls `listener` once when the connection ends (the device went away, the peer closed,
   * or `close()` was called). Returns a function that unsubscribes.
   */
  onClose(listener: (error?: Error) => void): () => void;
  /** Ends the connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Opens a (new) connection; retrieval calls it again to reconnect after a drop. */
export type Connect = () => Promise<Transport>;

export type TransportErrorCode =
  /** The port does not exist (no such device, nothing listening at host:port). */
  | "ENOENT"
  /** Another program holds the port. */
  | "EBUSY"
  /** Not allowed to open the port. */
  | "EACCES"
  /** Connecting or talking failed otherwise. */
  | "EIO";

/** A failure to open or use a transport, with a message meant for the user. */
export class TransportError extends Error {
  readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string) {
    super(message);
    this.name = "TransportError";
    this.code = code;
  }
}

/** Bytes -> one-char-per-byte text. */
export function bytesToText(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 8192)));
  }
  return s;
}

/** One-char-per-byte text -> bytes (chars above 255 keep their low byte). */
export function textToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 255;
  return out;
}

/**
 * Listener bookkeeping shared by the implementations: data and close listeners, a close
 * that fires once.
 */
export class TransportEvents {
  private dataListeners: Array<(text: string) => void> = [];
  private closeListeners: Array<(error?: Error) => void> = [];
  closed = false;

  onData(listener: (text: string) => void): () => void {
    this.dataListeners.push(listener);
    return () => {
      this.dataListeners = this.dataListeners.filter((l) => l !== listener);
    };
  }

  onClose(listener: (error?: Error) => void): () => void {
    if (this.closed) {
      // Already closed: tell the listener at once (asynchronously, like a real event).
      queueMicrotask(() => listener());
      return () => {};
    }
    this.closeListeners.push(listener);
    return () => {
      this.closeListeners = this.closeListeners.filter((l) => l !== listener);
    };
  }

  emitData(text: string): void {
    if (this.closed || text.length === 0) return;
    for (const l of this.dataListeners.slice()) l(text);
  }

  emitClose(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    const ls = this.closeListeners.slice();
    this.closeListeners = [];
    this.dataListeners = [];
    for (const l of ls) {
      if (error) l(error);
      else l();
    }
  }
}

/**
 * The listener half of a Transport, for the implementations to extend: onData and onClose
 * over `events`, which the subclass feeds (emitData, emitClose).
 */
export abstract class EventedTransport {
  protected readonly events = new TransportEvents();

  onData(listener: (text: string) => void): () => void {
    return this.events.onData(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.events.onClose(listener);
  }
}

/**
 * An in-process transport: what the host writes goes to `deliver` (the board's input), and
 * the board's output is handed to `receive`. The demo and the tests use it.
 */
export class PipeTransport extends EventedTransport implements Transport {
  readonly name: string;
  private readonly deliver: (text: string) => void;
  private readonly onClosed: (() => void) | undefined;

  constructor(name: string, deliver: (text: string) => void, onClosed?: () => void) {
    super();
    this.name = name;
    this.deliver = deliver;
    this.onClosed = onClosed;
  }

  get closed(): boolean {
    return this.events.closed;
  }

  /** Text from the board. */
  receive(text: string): void {
    this.events.emitData(text);
  }

  /** The board side drops the connection. */
  drop(error?: Error): void {
    this.events.emitClose(error);
  }

  async write(text: string): Promise<void> {
    if (this.events.closed)
      throw new TransportError("EIO", `${this.name}: the connection is closed`);
    this.deliver(text);
  }

  async close(): Promise<void> {
    if (this.events.closed) return;
    this.events.emitClose();
    this.onClosed?.();
  }
}
