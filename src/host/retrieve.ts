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

import { crc32 } from "../core/crc32.js";
import { ProtocolParser, PROTOCOL_VERSION, commands } from "../core/protocol.js";
import type { BeginInfo, ProtocolEvent } from "../core/protocol.js";
import { seqNewer } from "../core/serial.js";
import { heatshrinkDecompress } from "../codec/heatshrink.js";
import { decodeRecordBytes } from "./record-view.js";
import type { EspruinoDecodedRecord } from "./record-view.js";
import { RateMeter } from "./progress.js";
import type { RetrieveEvent } from "./progress.js";
import { TransportError } from "./transport.js";
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
  /** Board id for the "install it with" hint. */
  boardHint?: string | undefined;
  onProgress?: ((event: RetrieveEvent) => void) | undefined;
}

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
  | "EVERSION";

export class RetrieveError extends Error {
  readonly code: RetrieveErrorCode;

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
  | { kind: "timeout"; token: number };

class Inbox {
  private items: Item[] = [];
  private waiter: ((item: Item) => void) | null = null;

  push(item: Item): void {
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

  clear(): void {
    this.items = [];
  }
}

const ESPRUINO_HINTS =
  /(^|\n)>|Uncaught |=undefined|Espruino|ReferenceError|SyntaxError|Execution Interrupted/;
const NO_LIB =
  /ReferenceError[^\n]*mtdoops|"mtdoops" is not defined|mtdoops is not defined|mtdoops\.(dump|clear) is not a function/;

/** Retrieves (and optionally clears) the board's live records. */
export async function retrieve(options: RetrieveOptions): Promise<RetrieveResult> {
  const r = new Retrieval(options);
  try {
    return await r.run();
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
  private timer: ReturnType<typeof setTimeout> | null = null;

  private bytes = 0;
  private bytesSinceProtocol = 0;
  private text = ""; // recent console text, for telling a board without the library from garbage
  private promptSeen = false;
  private everBegin = false;
  private noLib = false;

  private readonly saved = new Set<number>();
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
      try {
        const t = await this.o.connect();
        this.attach(t);
        return;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (first) throw new RetrieveError("ECONNECT", msg);
        // Reconnecting: a USB board may take a moment to come back.
        this.fault(`reconnecting failed: ${msg}`);
        await sleep(Math.min(2000, 250 * 2 ** Math.min(this.consecutive, 3)));
      }
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
    await this.shutdownTransportOnly();
  }

  private onText(text: string): void {
    this.bytes += text.length;
    this.bytesSinceProtocol += text.length;
    this.rate.update(this.bytes);
    if (text.includes(">")) this.promptSeen = true;
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
    this.timer = setTimeout(() => this.inbox.push({ kind: "timeout", token }), this.timeoutMs);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
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
      const until = Date.now() + this.promptWaitMs;
      while (!this.promptSeen && Date.now() < until && this.connected) await sleep(10);
    }
    this.armTimer();
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
    this.bytesSinceProtocol = 0;
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

  private garbageCap(): number {
    const rs = this.begin?.recordSize ?? 65536;
    return Math.max(64 * 1024, Math.ceil((rs * 4) / 3) * 3 + 4096);
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
    if (ESPRUINO_HINTS.test(this.text))
      return new RetrieveError("ENOLIB", noLibraryMessage(this.o.port, this.o.boardHint));
    return new RetrieveError(
      "EGARBAGE",
      `the device at ${this.o.port} answers with data that is not an Espruino console` +
        (this.o.port.startsWith("tcp://") ? "" : " (wrong --baud?)") +
        ": check the port",
    );
  }

  private async receiveAll(): Promise<void> {
    let streaming = false;
    let recLines = 0;
    let firstContactTries = 1;
    for (;;) {
      if (this.noLib)
        throw new RetrieveError("ENOLIB", noLibraryMessage(this.o.port, this.o.boardHint));
      if (this.everBegin && this.bytesSinceProtocol > this.garbageCap()) {
        streaming = false;
        await this.resume("the board printed a lot that is not protocol lines", false);
        continue;
      }
      const item = await this.inbox.next();
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
          "the connection dropped" + (item.error ? `: ${item.error.message}` : ""),
          false,
        );
        continue;
      }
      if (item.conn !== this.conn) continue;
      const ev = item.event;
      if (ev.type !== "corrupt") this.bytesSinceProtocol = 0;
      if (ev.type === "error") {
        throw new RetrieveError(
          "EDEVICE",
          `the board at ${this.o.port} reported an error: ${ev.message.trim() || "(no message)"}`,
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
          if (!this.begin) this.o.sink.begin?.(ev.info);
          this.begin = ev.info;
          this.everBegin = true;
          this.emit({
            type: "begin",
            board: ev.info.board,
            recordSize: ev.info.recordSize,
            slots: ev.info.slots,
            boot: ev.info.boot,
            nextSeq: ev.info.nextSeq,
          });
          streaming = true;
          recLines = 0;
        }
        // Anything else belongs to an interrupted dump: ignored until the new BEGIN.
        continue;
      }
      if (ev.type === "corrupt") {
        streaming = false;
        await this.resume(`corrupt line (${ev.why})`, false);
        continue;
      }
      if (ev.type === "begin") {
        // A new dump started before this one ended: its END was lost.
        streaming = false;
        await this.resume("a dump ended without its END line", true);
        continue;
      }
      if (ev.type === "record") {
        recLines++;
        const rs = (this.begin as BeginInfo).recordSize;
        const rec = decodeRecordBytes(ev.record.raw, {
          recordSize: rs,
          slot: ev.record.slot,
          offset: ev.record.slot * rs,
        });
        if (!rec) {
          streaming = false;
          await this.resume(`record ${ev.record.seq} is not a valid record`, false);
          continue;
        }
        if (rec.seq !== ev.record.seq) {
          streaming = false;
          await this.resume(
            `record in slot ${ev.record.slot} has seq ${rec.seq}, the line says ${ev.record.seq}`,
            false,
          );
          continue;
        }
        this.emit({ type: "verified", seq: rec.seq });
        if (this.saved.has(rec.seq)) continue;
        let where: string;
        try {
          where = await this.o.sink.save(rec, ev.record.raw);
        } catch (e) {
          throw new RetrieveError(
            "ESAVE",
            `${e instanceof Error ? e.message : String(e)}; nothing was cleared on the board`,
          );
        }
        this.saved.add(rec.seq);
        this.records.push(rec);
        this.paths.push(where);
        if (this.newest === null || seqNewer(rec.seq, this.newest)) this.newest = rec.seq;
        this.consecutive = 0;
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
        if (ev.count !== recLines) {
          streaming = false;
          await this.resume(`END says ${ev.count} record(s), ${recLines} arrived`, true);
          continue;
        }
        this.stopTimer();
        return;
      }
      // "cleared" during a dump: a stale answer, ignored.
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
    for (;;) {
      const item = await this.inbox.next();
      if (item.kind === "timeout") {
        if (item.token !== this.timerToken) continue;
        return `no answer for ${this.timeoutMs} ms`;
      }
      if (item.kind === "closed") {
        if (item.conn !== this.conn) continue;
        this.connected = false;
        return "the connection dropped";
      }
      if (item.conn !== this.conn) continue;
      const ev = item.event;
      if (ev.type === "cleared") return ev.count;
      if (ev.type === "error") {
        throw new RetrieveError(
          "EDEVICE",
          `the board at ${this.o.port} could not clear: ${ev.message.trim()}`,
        );
      }
      // Stale REC/END lines, or a corrupt line: the CLEARED line may be the corrupt one;
      // the timeout then resends the (idempotent) clear.
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { TransportError };
