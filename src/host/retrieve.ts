// Retrieval of the crash records from a board, SPEC.md §7.3, over any Transport. No terminal,
// no file system and no Node API here: the caller passes how to connect, where to save
// (`sink`), and gets typed progress events (progress.ts). The CLI and the web page share it.
//
// The rules:
//   1. send dump(since) (since = -1: every live record);
//   2. accept a REC only when the parser's transport checks pass (7 fields, base64/heatshrink,
//      length, CRC), decodeRecordBytes accepts the bytes as a valid record, and its seq is the
//      line's; save it (the sink syncs it to disk) before anything else; v = newest saved;
//   3. on a corrupt line, a timeout, a dropped connection: reconnect if needed and send
//      dump(v); lines still arriving from the interrupted dump are ignored until the new
//      BEGIN, so nothing after the fault is accepted out of order; a seq already saved is
//      never saved twice. When END's count disagrees with the REC lines that arrived (a line
//      lost without a trace), the dump is asked again from the start and the saved records
//      are skipped: no loss even then;
//   4. `clear`: only after END, with every record saved: clear(v), then check CLEARED.
// Faults are bounded: `maxRetries` consecutive faults without a newly saved record end the
// retrieval with a RetrieveError that says what went wrong.
//
// A device that never stops talking (a GPS module, the wrong baud rate, a board printing in
// a loop) must not keep the retrieval going for ever, so besides the silence timeout every
// retrieval has limits that follow its progress (limits.ts has the figures):
//   - a BEGIN line within `beginWithinMs` of the dump command, and at most
//     PRE_BEGIN_BYTES of other output before it;
//   - after BEGIN, at most one record line's worth of bytes plus NOISE_BYTES between two
//     steps of progress (BEGIN, a newly saved record, END), and a step within `stallMs`;
//   - an overall deadline (`deadlineMs`), and the caller's AbortSignal (Ctrl-C).
// Each ends with a message that says what is probably wrong. All timing goes through
// `clock`, so tests run the limits on a manual clock.

import { crc32 } from "../core/crc32.js";
import { PROTOCOL_VERSION, commands } from "../core/protocol.js";
import type { BeginInfo } from "../core/protocol.js";
import { ProtocolParser } from "./protocol-parser.js";
import type { ProtocolEvent } from "./protocol-parser.js";
import { seqNewer } from "../core/seq.js";
import { heatshrinkDecompress } from "../codec/heatshrink.js";
import { decodeRecordBytes } from "./record-view.js";
import type { EspruinoDecodedRecord } from "./record-view.js";
import { quoteDeviceText } from "./device-text.js";
import {
  MAX_BEGIN_SLOTS,
  NOISE_BYTES,
  PRE_BEGIN_BYTES,
  describeUnknownOutput,
  isMostlyText,
  isOurRecordSize,
  recordLineBytes,
  stallLimitMs,
} from "./limits.js";
import { RateMeter } from "./progress.js";
import type { RetrieveEvent } from "./progress.js";
import type { Connect, Transport } from "./transport.js";

export interface RetrieveSink {
  /** Called with the BEGIN line's facts (the board id names the archive folder). */
  begin?(info: BeginInfo): void;
  /**
   * Stores a verified record durably (written and synced) and resolves with where; rejects
   * when it cannot: the retrieval then stops and clears nothing.
   */
  save(record: EspruinoDecodedRecord, raw: Uint8Array): Promise<string>;
}

export interface RetrieveOptions {
  /** Opens the port; called again to reconnect after a drop. */
  connect: Connect;
  /** The port as the user named it, for messages. */
  port: string;
  sink: RetrieveSink;
  /** Only records newer than this seq; -1 (default): every live record. */
  since?: number | undefined;
  /** Free the saved records on the board afterwards. */
  clear?: boolean | undefined;
  /** Ask for heatshrink-compressed REC lines (default true). */
  compress?: boolean | undefined;
  /** No byte for this long is a timeout (default 5000 ms). */
  timeoutMs?: number | undefined;
  /** Consecutive faults without progress before giving up (default 5). */
  maxRetries?: number | undefined;
  /** How long to wait for the prompt after nudging the console (default 300 ms). */
  promptWaitMs?: number | undefined;
  /** The BEGIN line must come this soon after the dump command (default 5000 ms). */
  beginWithinMs?: number | undefined;
  /** The whole retrieval ends by then (default 600000 ms). */
  deadlineMs?: number | undefined;
  /** Stops the retrieval at once (Ctrl-C); what was saved stays saved, nothing is cleared. */
  signal?: AbortSignal | undefined;
  /** Time and timers (default: the real ones). */
  clock?: RetrieveClock | undefined;
  /** Board id for the "install it with" hint. */
  boardHint?: string | undefined;
  onProgress?: ((event: RetrieveEvent) => void) | undefined;
}

/** The retrieval's time source; tests pass a manual one. */
export interface RetrieveClock {
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const realClock: RetrieveClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const h = setTimeout(fn, ms);
    return () => clearTimeout(h);
  },
};

export interface RetrieveResult {
  /** The records saved by this retrieval, oldest first. */
  records: EspruinoDecodedRecord[];
  /** Paths returned by the sink, in the same order. */
  paths: string[];
  /** Seq of the newest saved record, or null when none. */
  newestSeq: number | null;
  /** The board's answer to the clear, or null when no clear was sent. */
  cleared: number | null;
  begin: BeginInfo | null;
  /** Faults met and recovered from. */
  faults: number;
}

export type RetrieveErrorCode =
  /** The board does not run espruino-mtdoops. */
  | "ENOLIB"
  /** What arrives is not an Espruino console (wrong baud rate, another device). */
  | "EGARBAGE"
  /** Nothing arrived at all. */
  | "ETIMEOUT"
  /** The board printed MTDOOPS:ERROR. */
  | "EDEVICE"
  /** A record could not be saved: nothing was cleared. */
  | "ESAVE"
  /** Too many faults in a row. */
  | "ERETRIES"
  /** The port could not be opened. */
  | "ECONNECT"
  /** The board speaks another protocol version. */
  | "EVERSION"
  /** No BEGIN line came in time although the device sends (another device, wrong baud). */
  | "ENOBEGIN"
  /** A BEGIN line no espruino-mtdoops board sends (an impossible record size or count). */
  | "EPROTOCOL"
  /** The overall deadline passed. */
  | "EDEADLINE"
  /** Stopped by the caller (Ctrl-C). */
  | "EINTR";

export class RetrieveError extends Error {
  readonly code: RetrieveErrorCode;
  /** Seqs verified and saved before the retrieval stopped, oldest first. */
  saved: number[] = [];
  /** Seqs the board listed (a REC line came) that could not be verified and saved. */
  missing: number[] = [];

  constructor(code: RetrieveErrorCode, message: string) {
    super(message);
    this.name = "RetrieveError";
    this.code = code;
  }
}

export function noLibraryMessage(port: string, board?: string): string {
  return (
    `the board at ${port} does not run espruino-mtdoops; install it with: ` +
    `mtdoops flash --board ${board ?? "<id>"} --port ${port}`
  );
}

/** Pure-JS base64 decoding, strict (atob is in Node 20 and every browser). */
function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function decompress(data: Uint8Array): Uint8Array {
  return heatshrinkDecompress(data, { maxOutput: 0x10000 + 64, strict: false });
}

type Item =
  | { kind: "event"; event: ProtocolEvent; conn: number }
  | { kind: "closed"; conn: number; error?: Error | undefined }
  | { kind: "timeout"; token: number }
  /** A progress limit: no BEGIN in time, or no step of progress in time. */
  | { kind: "limit"; token: number; which: "begin" | "stall" }
  | { kind: "deadline" }
  | { kind: "aborted" }
  /** The bytes since the last step of progress passed a cap: the loop checks which. */
  | { kind: "noise" };

class Inbox {
  private items: Item[] = [];
  private waiter: ((item: Item) => void) | null = null;

  /** Called first with every item (the retrieval's stop waiters). */
  tap: ((item: Item) => void) | null = null;

  push(item: Item): void {
    this.tap?.(item);
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(item);
    } else this.items.push(item);
  }

  next(): Promise<Item> {
    const item = this.items.shift();
    if (item) return Promise.resolve(item);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** True while parsed protocol events wait to be read: the byte caps count bytes on arrival, so they wait for these. */
  hasLines(): boolean {
    return this.items.some((i) => i.kind === "event");
  }

  /** Drops queued items, but never a stop (deadline, abort). */
  clear(): void {
    this.items = this.items.filter((i) => i.kind === "deadline" || i.kind === "aborted");
  }
}

const ESPRUINO_HINTS =
  /(^|\n)>|Uncaught |=undefined|Espruino|ReferenceError|SyntaxError|Execution Interrupted/;

/**
 * Whether output looks like an Espruino console without the logger. Only text counts: 32 KB
 * of random bytes holds "\n>" about half the time (a baud-rate mismatch is not a console).
 */
function looksLikeEspruino(text: string): boolean {
  return isMostlyText(text) && ESPRUINO_HINTS.test(text);
}
const NO_LIB =
  /ReferenceError[^\n]*mtdoops|"mtdoops" is not defined|mtdoops is not defined|mtdoops\.(dump|clear) is not a function/;

/** Retrieves (and optionally clears) the board's live records. */
export async function retrieve(options: RetrieveOptions): Promise<RetrieveResult> {
  const r = new Retrieval(options);
  try {
    return await r.run();
  } catch (e) {
    if (e instanceof RetrieveError) r.annotate(e);
    throw e;
  } finally {
    await r.shutdown();
  }
}

class Retrieval {
  private readonly o: RetrieveOptions;
  private readonly since: number;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly promptWaitMs: number;
  private readonly beginWithinMs: number;
  private readonly deadlineMs: number;
  private readonly clock: RetrieveClock;
  private readonly compress: boolean;
  private readonly emit: (e: RetrieveEvent) => void;
  private readonly inbox = new Inbox();
  private readonly rate = new RateMeter();

  private transport: Transport | null = null;
  private unsubscribe: Array<() => void> = [];
  private conn = 0;
  private connected = false;
  private attempts = 0;
  private timerToken = 0;
  private cancelTimer: (() => void) | null = null;
  private limitToken = 0;
  private cancelLimit: (() => void) | null = null;
  private cancelDeadline: (() => void) | null = null;
  private promptWake: (() => void) | null = null;
  private readonly onAbort = (): void => this.inbox.push({ kind: "aborted" });

  private bytes = 0;
  /** Bytes since the last step of progress (BEGIN, a newly saved record, END). */
  private bytesSinceProgress = 0;
  private text = ""; // recent console text, for telling a board without the library from garbage
  private promptSeen = false;
  private everBegin = false;
  private noLib = false;

  private readonly saved = new Set<number>();
  /** Seqs of REC lines that failed a check and were not saved (yet). */
  private readonly failed = new Set<number>();
  private readonly records: EspruinoDecodedRecord[] = [];
  private readonly paths: string[] = [];
  private newest: number | null = null;
  private begin: BeginInfo | null = null;
  private faults = 0;
  private consecutive = 0;
  private lastWhy = "";

  constructor(o: RetrieveOptions) {
    this.o = o;
    this.since = o.since ?? -1;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.maxRetries = o.maxRetries ?? 5;
    this.promptWaitMs = o.promptWaitMs ?? 300;
    this.inbox.tap = (item) => {
      if (item.kind === "deadline" || item.kind === "aborted")
        for (const w of this.stopWaiters.slice()) w(item);
    };
    this.beginWithinMs = o.beginWithinMs ?? 5000;
    this.deadlineMs = o.deadlineMs ?? 600_000;
    this.clock = o.clock ?? realClock;
    this.compress = o.compress ?? true;
    this.emit = (e) => {
      try {
        o.onProgress?.(e);
      } catch {
        // A broken renderer must not break the retrieval.
      }
    };
  }

  async run(): Promise<RetrieveResult> {
    const signal = this.o.signal;
    if (signal) {
      if (signal.aborted) this.inbox.push({ kind: "aborted" });
      else signal.addEventListener("abort", this.onAbort, { once: true });
    }
    this.cancelDeadline = this.clock.setTimer(
      () => this.inbox.push({ kind: "deadline" }),
      this.deadlineMs,
    );
    await this.ensureConnected(true);
    await this.sendDump(this.since);
    await this.receiveAll();
    let cleared: number | null = null;
    if (this.o.clear && this.newest !== null) cleared = await this.clear(this.newest);
    else if (this.o.clear) cleared = 0;
    this.emit({
      type: "done",
      records: this.records.length,
      folder: null,
      newestSeq: this.newest,
      cleared,
    });
    return {
      records: this.records,
      paths: this.paths,
      newestSeq: this.newest,
      cleared,
      begin: this.begin,
      faults: this.faults,
    };
  }

  // ---- connection ----

  private async ensureConnected(first: boolean): Promise<void> {
    if (this.connected && this.transport) return;
    for (;;) {
      this.attempts++;
      this.emit({ type: "connecting", port: this.o.port, attempt: this.attempts });
      let t: Transport;
      try {
        t = await this.interruptible(this.o.connect());
      } catch (e) {
        if (e instanceof RetrieveError) throw e;
        const msg = e instanceof Error ? e.message : String(e);
        if (first) throw new RetrieveError("ECONNECT", msg);
        // Reconnecting: a USB board may take a moment to come back.
        this.fault(`reconnecting failed: ${msg}`);
        await this.pause(Math.min(2000, 250 * 2 ** Math.min(this.consecutive, 3)));
        continue;
      }
      this.attach(t);
      return;
    }
  }

  private attach(t: Transport): void {
    this.detach();
    const conn = ++this.conn;
    this.transport = t;
    this.connected = true;
    this.promptSeen = false;
    const parser = new ProtocolParser({ crc32, fromBase64, decompress });
    this.unsubscribe.push(
      t.onData((text) => {
        if (conn !== this.conn) return;
        this.onText(text);
        for (const event of parser.push(text)) this.inbox.push({ kind: "event", event, conn });
      }),
      t.onClose((error) => {
        if (conn !== this.conn) return;
        this.connected = false;
        this.inbox.push({ kind: "closed", conn, error });
      }),
    );
  }

  private detach(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  async shutdown(): Promise<void> {
    this.stopTimer();
    this.stopLimit();
    this.cancelDeadline?.();
    this.o.signal?.removeEventListener("abort", this.onAbort);
    await this.shutdownTransportOnly();
  }

  /** Adds what was saved and what is missing to an error that ends the retrieval. */
  annotate(e: RetrieveError): void {
    e.saved = this.records.map((r) => r.seq);
    e.missing = [...this.failed].filter((s) => !this.saved.has(s));
  }

  /** The error for a deadline, an abort: whatever else was going on, stop now. */
  private stopError(item: Item): RetrieveError | null {
    const kept =
      this.records.length === 0
        ? "no record was saved"
        : `${this.records.length} record(s) were saved`;
    if (item.kind === "aborted")
      return new RetrieveError("EINTR", `interrupted: ${kept}, nothing was cleared on the board`);
    if (item.kind === "deadline")
      return new RetrieveError(
        "EDEADLINE",
        `the retrieval from ${this.o.port} did not finish within ${Math.round(this.deadlineMs / 1000)} s ` +
          `(${this.bytes} bytes received${this.everBegin ? "" : ", no MTDOOPS:BEGIN line"}): ${kept}, nothing was cleared; ` +
          (this.everBegin
            ? "the link is too slow for this log (raise --deadline) or the board keeps printing"
            : describeUnknownOutput(this.text, this.o.port)),
      );
    return null;
  }

  /** Waits for `p`, but a deadline or an abort wins. */
  private async interruptible<T>(p: Promise<T>): Promise<T> {
    let stop: ((item: Item) => void) | null = null;
    const stopped = new Promise<never>((_, reject) => {
      stop = (item) => reject(this.stopError(item) ?? new Error("stopped"));
    });
    this.stopWaiters.push(stop as unknown as (item: Item) => void);
    try {
      return await Promise.race([p, stopped]);
    } finally {
      this.stopWaiters = this.stopWaiters.filter((w) => w !== stop);
    }
  }

  private stopWaiters: Array<(item: Item) => void> = [];

  /** A pause on the clock, cut short by a deadline or an abort. */
  private pause(ms: number): Promise<void> {
    let cancel: (() => void) | null = null;
    return this.interruptible(
      new Promise<void>((resolve) => {
        cancel = this.clock.setTimer(resolve, ms);
      }),
    ).finally(() => (cancel as (() => void) | null)?.());
  }

  private onText(text: string): void {
    this.bytes += text.length;
    const cap = this.everBegin ? this.noiseCap() : PRE_BEGIN_BYTES;
    if (this.bytesSinceProgress <= cap && this.bytesSinceProgress + text.length > cap)
      this.inbox.push({ kind: "noise" });
    this.bytesSinceProgress += text.length;
    this.rate.update(this.bytes);
    if (text.includes(">")) {
      this.promptSeen = true;
      this.promptWake?.();
    }
    this.text = (this.text + text).slice(-4096);
    if (!this.everBegin && NO_LIB.test(this.text)) this.noLib = true;
    this.armTimer();
    this.emit({
      type: "receiving",
      records: this.records.length,
      bytes: this.bytes,
      bytesPerSecond: this.rate.rate,
    });
  }

  // ---- timer ----

  private armTimer(): void {
    this.stopTimer();
    const token = ++this.timerToken;
    this.cancelTimer = this.clock.setTimer(
      () => this.inbox.push({ kind: "timeout", token }),
      this.timeoutMs,
    );
  }

  private stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  /** The progress limit: a BEGIN, or the next step of progress, within `ms`. */
  private armLimit(which: "begin" | "stall", ms: number): void {
    this.stopLimit();
    const token = ++this.limitToken;
    this.cancelLimit = this.clock.setTimer(
      () => this.inbox.push({ kind: "limit", token, which }),
      ms,
    );
  }

  private stopLimit(): void {
    this.cancelLimit?.();
    this.cancelLimit = null;
  }

  /** A step of progress: the byte budget and the stall limit start again. */
  private progressed(): void {
    this.bytesSinceProgress = 0;
    const rs = this.begin?.recordSize;
    if (rs !== undefined) this.armLimit("stall", stallLimitMs(rs, this.timeoutMs));
  }

  // ---- commands ----

  private async write(text: string): Promise<boolean> {
    const t = this.transport;
    if (!t || !this.connected) return false;
    try {
      await t.write(text);
      return true;
    } catch {
      this.connected = false;
      return false;
    }
  }

  /** Nudges the console (a fresh prompt) and waits briefly for it, then sends the dump. */
  private async sendDump(since: number): Promise<void> {
    if (!this.promptSeen) {
      this.emit({ type: "waiting-for-prompt" });
      await this.write("\n");
      if (!this.promptSeen && this.connected) {
        let cancel: (() => void) | null = null;
        await this.interruptible(
          new Promise<void>((resolve) => {
            this.promptWake = resolve;
            cancel = this.clock.setTimer(resolve, this.promptWaitMs);
          }),
        ).finally(() => {
          this.promptWake = null;
          (cancel as (() => void) | null)?.();
        });
      }
    }
    this.armTimer();
    this.armLimit("begin", this.beginWithinMs);
    if (!(await this.write(commands.dump(since, this.compress)))) {
      this.inbox.push({ kind: "closed", conn: this.conn });
    }
  }

  private resumeFrom(rollback: boolean): number {
    if (rollback) return this.since;
    return this.newest ?? this.since;
  }

  /** Counts a fault; throws once the budget is spent. */
  private fault(why: string): void {
    this.faults++;
    this.consecutive++;
    this.lastWhy = why;
    if (this.consecutive > this.maxRetries) {
      throw new RetrieveError(
        "ERETRIES",
        `retrieval from ${this.o.port} failed ${this.consecutive} times in a row (last: ${why}); ` +
          `${this.records.length} record(s) were saved, nothing was cleared; check the connection and retry`,
      );
    }
  }

  private async resume(why: string, rollback: boolean): Promise<void> {
    this.fault(why);
    const from = this.resumeFrom(rollback);
    this.emit({ type: "resumed", fromSeq: from, why, attempt: this.consecutive });
    this.inbox.clear();
    if (!this.connected) {
      await this.shutdownTransportOnly();
      await this.ensureConnected(false);
    }
    this.bytesSinceProgress = 0;
    await this.sendDump(from);
  }

  private async shutdownTransportOnly(): Promise<void> {
    this.detach();
    const t = this.transport;
    this.transport = null;
    this.connected = false;
    if (t) {
      try {
        await t.close();
      } catch {
        // Closing a port that already went away.
      }
    }
  }

  /** Bytes allowed between two steps of progress: one record line and some console output. */
  private noiseCap(): number {
    return recordLineBytes(this.begin?.recordSize ?? 65536) + NOISE_BYTES;
  }

  // ---- the dump ----

  private classifySilence(): RetrieveError {
    if (this.noLib)
      return new RetrieveError("ENOLIB", noLibraryMessage(this.o.port, this.o.boardHint));
    if (this.bytes === 0) {
      return new RetrieveError(
        "ETIMEOUT",
        `no answer from ${this.o.port} within ${this.timeoutMs} ms: check that the board is on and connected` +
          (this.o.port.startsWith("tcp://") ? "" : ", and the baud rate (--baud)") +
          ", or raise --timeout",
      );
    }
    if (looksLikeEspruino(this.text))
      return new RetrieveError("ENOLIB", noLibraryMessage(this.o.port, this.o.boardHint));
    return new RetrieveError("EGARBAGE", describeUnknownOutput(this.text, this.o.port));
  }

  /** No BEGIN in time (or too much else before it) although the device keeps sending. */
  private classifyNoBegin(why: string): RetrieveError {
    if (this.bytes === 0) return this.classifySilence();
    if (this.noLib || looksLikeEspruino(this.text))
      return new RetrieveError(
        "ENOLIB",
        noLibraryMessage(this.o.port, this.o.boardHint) + ` (${why}; is the logger installed?)`,
      );
    return new RetrieveError(
      "ENOBEGIN",
      `${why}: ${describeUnknownOutput(this.text, this.o.port)}`,
    );
  }

  /** Checks the BEGIN line's geometry: a board of ours never claims more. */
  private checkBegin(info: BeginInfo): void {
    if (!isOurRecordSize(info.recordSize) || info.slots < 1 || info.slots > MAX_BEGIN_SLOTS) {
      throw new RetrieveError(
        "EPROTOCOL",
        `the device at ${this.o.port} sent a BEGIN line claiming ${info.slots} slot(s) of ${info.recordSize} bytes, ` +
          `which no espruino-mtdoops board has (record sizes are powers of two from 64 to 65536): ` +
          `another program answers on this port, or the board's firmware is not ours`,
      );
    }
  }

  private async receiveAll(): Promise<void> {
    let streaming = false;
    /** Seqs of the REC lines of this dump that passed every check (duplicates count once). */
    let dumpSeqs = new Set<number>();
    let firstContactTries = 1;
    for (;;) {
      if (this.noLib)
        throw new RetrieveError("ENOLIB", noLibraryMessage(this.o.port, this.o.boardHint));
      // Bytes are counted when they arrive, lines when they are read: a chunk that holds the
      // BEGIN line and the records after it (a fast link) must not count against the caps
      // before its lines are read. A flood that keeps lines waiting still meets a hard cap.
      const waiting =
        this.inbox.hasLines() && this.bytesSinceProgress <= 4 * this.noiseCap() + PRE_BEGIN_BYTES;
      if (!waiting && !this.everBegin && this.bytesSinceProgress > PRE_BEGIN_BYTES) {
        throw this.classifyNoBegin(
          `${this.bytesSinceProgress} bytes came from ${this.o.port} and no MTDOOPS:BEGIN line`,
        );
      }
      if (!waiting && this.everBegin && this.bytesSinceProgress > this.noiseCap()) {
        streaming = false;
        await this.resume(
          `${this.bytesSinceProgress} bytes since the last record and none of them a new record ` +
            "(the board prints in a loop, repeats lines, or another device shares the port?)",
          false,
        );
        continue;
      }
      const item = await this.inbox.next();
      const stop = this.stopError(item);
      if (stop) throw stop;
      if (item.kind === "noise") continue; // the caps are checked at the top of the loop
      if (item.kind === "limit") {
        if (item.token !== this.limitToken) continue;
        if (item.which === "begin" && !this.everBegin) {
          // One more try: the first command may have met a half-typed line.
          if (firstContactTries >= 2)
            throw this.classifyNoBegin(
              `no MTDOOPS:BEGIN line within ${this.beginWithinMs} ms of the dump command ` +
                `(${this.bytes} bytes came)`,
            );
          firstContactTries++;
          this.consecutive++;
          this.faults++;
          await this.sendDump(this.since);
          continue;
        }
        if (item.which === "begin" && streaming) continue; // BEGIN came: the stall limit runs
        streaming = false;
        await this.resume(
          item.which === "begin"
            ? `no MTDOOPS:BEGIN line within ${this.beginWithinMs} ms of the dump command`
            : `no record completed for ${stallLimitMs(this.begin?.recordSize ?? 65536, this.timeoutMs)} ms ` +
                "although the board sends (a very slow link, or output that is not records)",
          false,
        );
        continue;
      }
      if (item.kind === "timeout") {
        if (item.token !== this.timerToken) continue;
        if (!this.everBegin) {
          if (this.noLib || firstContactTries >= 2) throw this.classifySilence();
          firstContactTries++;
          // One more try: the first command may have met a half-typed line.
          this.consecutive++;
          this.faults++;
          await this.sendDump(this.since);
          continue;
        }
        streaming = false;
        await this.resume(`no data for ${this.timeoutMs} ms`, false);
        continue;
      }
      if (item.kind === "closed") {
        if (item.conn !== this.conn) continue;
        this.connected = false;
        streaming = false;
        if (!this.everBegin && this.bytes === 0 && firstContactTries >= 2)
          throw this.classifySilence();
        await this.resume(
          "the connection dropped" + (item.error ? `: ${quoteDeviceText(item.error.message)}` : ""),
          false,
        );
        continue;
      }
      if (item.kind !== "event" || item.conn !== this.conn) continue;
      const ev = item.event;
      if (ev.type === "error") {
        throw new RetrieveError(
          "EDEVICE",
          `the board at ${this.o.port} reported an error: ${quoteDeviceText(ev.message.trim()) || "(no message)"}`,
        );
      }
      if (!streaming) {
        if (ev.type === "begin") {
          if (ev.info.version !== PROTOCOL_VERSION) {
            throw new RetrieveError(
              "EVERSION",
              `the board speaks protocol version ${ev.info.version}, this tool version ${PROTOCOL_VERSION}: update the tool or reflash the board`,
            );
          }
          this.checkBegin(ev.info);
          const info = { ...ev.info, board: quoteDeviceText(ev.info.board, 64) };
          if (!this.begin) this.o.sink.begin?.(info);
          this.begin = info;
          this.everBegin = true;
          this.emit({
            type: "begin",
            board: info.board,
            recordSize: info.recordSize,
            slots: info.slots,
            boot: info.boot,
            nextSeq: info.nextSeq,
          });
          streaming = true;
          dumpSeqs = new Set<number>();
          this.progressed();
        }
        // Anything else belongs to an interrupted dump: ignored until the new BEGIN.
        continue;
      }
      if (ev.type === "corrupt") {
        // A damaged copy of a record already saved (a repeated line, console output
        // inside it) costs nothing: that record is safe.
        const seq = recLineSeq(ev.line);
        if (seq !== null && this.saved.has(seq)) continue;
        if (seq !== null) this.failed.add(seq);
        streaming = false;
        await this.resume(`corrupt line (${quoteDeviceText(ev.why)})`, false);
        continue;
      }
      if (ev.type === "begin") {
        // A new dump started before this one ended: its END was lost.
        streaming = false;
        await this.resume("a dump ended without its END line", true);
        continue;
      }
      if (ev.type === "record") {
        const rs = (this.begin as BeginInfo).recordSize;
        const rec = decodeRecordBytes(ev.record.raw, {
          recordSize: rs,
          slot: ev.record.slot,
          offset: ev.record.slot * rs,
        });
        if (!rec || rec.seq !== ev.record.seq) {
          if (this.saved.has(ev.record.seq)) continue;
          this.failed.add(ev.record.seq);
          streaming = false;
          await this.resume(
            !rec
              ? `record ${ev.record.seq} is not a valid record`
              : `record in slot ${ev.record.slot} has seq ${rec.seq}, the line says ${ev.record.seq}`,
            false,
          );
          continue;
        }
        this.emit({ type: "verified", seq: rec.seq });
        dumpSeqs.add(rec.seq);
        if (this.saved.has(rec.seq)) continue;
        let where: string;
        try {
          where = await this.interruptible(this.o.sink.save(rec, ev.record.raw));
        } catch (e) {
          if (e instanceof RetrieveError) throw e;
          throw new RetrieveError(
            "ESAVE",
            `${e instanceof Error ? e.message : String(e)}; nothing was cleared on the board`,
          );
        }
        this.saved.add(rec.seq);
        this.failed.delete(rec.seq);
        this.records.push(rec);
        this.paths.push(where);
        if (this.newest === null || seqNewer(rec.seq, this.newest)) this.newest = rec.seq;
        this.consecutive = 0;
        this.progressed();
        this.emit({ type: "saved", seq: rec.seq, path: where });
        this.emit({
          type: "receiving",
          records: this.records.length,
          bytes: this.bytes,
          bytesPerSecond: this.rate.rate,
        });
        continue;
      }
      if (ev.type === "end") {
        if (ev.count !== dumpSeqs.size) {
          streaming = false;
          await this.resume(`END says ${ev.count} record(s), ${dumpSeqs.size} arrived`, true);
          continue;
        }
        this.stopTimer();
        this.stopLimit();
        this.bytesSinceProgress = 0;
        return;
      }
      // "cleared" during a dump: a stale answer, ignored (its bytes count against the cap).
    }
  }

  // ---- clear ----

  private async clear(upto: number): Promise<number> {
    this.emit({ type: "clearing", upto });
    let tries = 0;
    for (;;) {
      tries++;
      if (!this.connected) {
        await this.shutdownTransportOnly();
        await this.ensureConnected(false);
      }
      this.inbox.clear();
      this.armTimer();
      if (!(await this.write(commands.clear(upto)))) {
        this.connected = false;
      } else {
        const answer = await this.awaitCleared();
        if (typeof answer === "number") {
          this.stopTimer();
          this.emit({ type: "cleared", count: answer });
          return answer;
        }
        this.lastWhy = answer;
      }
      if (tries > this.maxRetries) {
        throw new RetrieveError(
          "ERETRIES",
          `the board at ${this.o.port} did not confirm the clear (${this.lastWhy || "connection lost"}); ` +
            `all ${this.records.length} record(s) are saved; run again with --clear to free them`,
        );
      }
    }
  }

  /** The CLEARED count, or why it did not come. */
  private async awaitCleared(): Promise<number | string> {
    this.bytesSinceProgress = 0;
    this.armLimit("stall", this.timeoutMs * 2);
    for (;;) {
      if (this.bytesSinceProgress > NOISE_BYTES)
        return `${this.bytesSinceProgress} bytes came and no MTDOOPS:CLEARED line`;
      const item = await this.inbox.next();
      const stop = this.stopError(item);
      if (stop) throw stop;
      if (item.kind === "limit") {
        if (item.token !== this.limitToken) continue;
        return `no MTDOOPS:CLEARED line within ${this.timeoutMs * 2} ms`;
      }
      if (item.kind === "timeout") {
        if (item.token !== this.timerToken) continue;
        return `no answer for ${this.timeoutMs} ms`;
      }
      if (item.kind === "closed") {
        if (item.conn !== this.conn) continue;
        this.connected = false;
        return "the connection dropped";
      }
      if (item.kind !== "event" || item.conn !== this.conn) continue;
      const ev = item.event;
      if (ev.type === "cleared") return ev.count;
      if (ev.type === "error") {
        throw new RetrieveError(
          "EDEVICE",
          `the board at ${this.o.port} could not clear: ${quoteDeviceText(ev.message.trim())}`,
        );
      }
      // Stale REC/END lines, or a corrupt line: the CLEARED line may be the corrupt one;
      // the timeout then resends the (idempotent) clear.
    }
  }
}

/** The seq of a (corrupt) REC line, when its seq field survived. */
function recLineSeq(line: string): number | null {
  const m = /MTDOOPS:REC ([0-9]{1,10}) /.exec(line);
  if (!m) return null;
  const n = Number(m[1]);
  return n <= 0xffffffff ? n : null;
}
