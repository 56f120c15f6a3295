// A fake board for the retrieval tests: the device side of the console protocol (SPEC.md
// §7) over a real CrashLog on a SimulatedNorFlash, answering through PipeTransports, with
// faults to inject (line noise, a dropped connection, a board without the library, garbage,
// silence). Not the virtual board (src/sim/virtual-board.ts runs the real firmware); this
// one isolates the host's retrieval engine.

import { crc32 } from "../src/core/crc32.js";
import type { CrashLog } from "../src/core/log.js";
import {
  formatBegin,
  formatCleared,
  formatEnd,
  formatRecord,
  PROTOCOL_VERSION,
} from "../src/core/protocol.js";
import { Reason } from "../src/core/record.js";
import type { ConsoleRing } from "../src/core/ring.js";
import { seqNewer } from "../src/core/seq.js";
import { heatshrinkCompress } from "../src/codec/heatshrink.js";
import type { SimulatedNorFlash } from "../src/sim/nor-flash.js";
import type { VirtualScheduler } from "../src/sim/virtual-scheduler.js";
import { PipeTransport } from "../src/host/transport.js";
import { EPOCH_MS, MANY_RECORDS_COMPRESSED, bootBoard, newFlash } from "./helpers/model.js";
import type { Board } from "./helpers/model.js";
import type { Connect, Transport } from "../src/host/transport.js";

export type FakeMode = "ok" | "nolib" | "garbage" | "silent";

export interface FakeBoardOptions {
  recordSize?: number;
  blocks?: number;
  eraseSize?: number;
  mode?: FakeMode;
  /** Board id on the BEGIN line. */
  board?: string;
}

/** Mutates a line before it is sent (line noise); return null to drop the line entirely. */
export type LineHook = (line: string, index: number) => string | null;

export class FakeBoard {
  readonly flash: SimulatedNorFlash;
  sched: VirtualScheduler;
  ring: ConsoleRing;
  log: CrashLog;
  readonly recordSize: number;
  mode: FakeMode;
  board: string;
  /** Every command line the board received. */
  readonly commands: string[] = [];
  /** Lines sent so far (all connections), to place faults. */
  linesSent = 0;
  /** Drop the connection right after this many more lines (once). */
  dropAfterLines: number | null = null;
  /** Corrupt/drop lines; called for every protocol line. */
  lineHook: LineHook | null = null;
  /**
   * A new command discards what is still queued of the previous answer (a real board
   * finishes it first; both must work).
   */
  abortOnNewCommand = false;
  /** Stop answering clear commands (simulates a lost CLEARED). */
  ignoreClear = false;
  /** Connections refused from now on. */
  refuseConnections = false;
  connections = 0;
  private current: PipeTransport | null = null;
  private inputBuffer = "";

  constructor(o: FakeBoardOptions = {}) {
    this.recordSize = o.recordSize ?? 256;
    const eraseSize = o.eraseSize ?? 1024;
    const blocks = o.blocks ?? 4;
    this.flash = newFlash({
      size: blocks * eraseSize,
      eraseSize,
      progUnit: 4,
      pageSize: 256,
      erasedValue: 0xff,
    });
    const b = this.boot(EPOCH_MS);
    this.sched = b.sched;
    this.ring = b.ring;
    this.log = b.log;
    this.mode = o.mode ?? "ok";
    this.board = o.board ?? "fakeboard";
  }

  /**
   * A boot: fresh RAM (scheduler, ring), the log mounted on the same flash; uptime starts
   * again at 0, the wall clock goes on from `epochMs`.
   */
  private boot(epochMs: number): Board {
    return bootBoard(this.flash, this.recordSize, MANY_RECORDS_COMPRESSED, 2048, epochMs);
  }

  /** Writes `n` crash records (each with its own console text) and runs the deferred jobs. */
  crash(
    n: number,
    textOf: (i: number) => string = (i) => `line ${i}: Uncaught Error: boom ${i}\r\n`,
  ): void {
    for (let i = 0; i < n; i++) {
      this.ring.write(textOf(i));
      this.sched.advance(1000);
      if (i % 3 === 2) this.log.panic(JSON.stringify({ msg: "panic " + i }));
      else this.log.dump(Reason.OOPS, JSON.stringify({ msg: "boom " + i, board: this.board }));
      this.sched.runAll();
    }
  }

  /** Reboots: a new boot mounts the log again (boot number + 1). */
  reboot(): void {
    const b = this.boot(this.sched.now());
    this.sched = b.sched;
    this.ring = b.ring;
    this.log = b.log;
  }

  liveSeqs(): number[] {
    const out: number[] = [];
    this.log.forEach((r) => out.push(r.record.seq));
    return out;
  }

  /** The Connect the retrieval gets. */
  readonly connect: Connect = async (): Promise<Transport> => {
    if (this.refuseConnections) throw new Error("connection refused");
    this.connections++;
    this.inputBuffer = "";
    const t: PipeTransport = new PipeTransport("fake://board", (text) => this.input(t, text));
    this.current = t;
    return t;
  };

  /** Drops the current connection now. */
  drop(): void {
    this.current?.drop();
  }

  private input(t: PipeTransport, text: string): void {
    this.inputBuffer += text;
    let nl = this.inputBuffer.search(/[\r\n]/);
    while (nl >= 0) {
      const line = this.inputBuffer.slice(0, nl);
      this.inputBuffer = this.inputBuffer.slice(nl + 1);
      this.execute(t, line);
      nl = this.inputBuffer.search(/[\r\n]/);
    }
  }

  private execute(t: PipeTransport, rawLine: string): void {
    const echoOff = rawLine.startsWith("\x10");
    const line = echoOff ? rawLine.slice(1) : rawLine;
    if (line.trim() === "") {
      if (this.mode !== "silent" && this.mode !== "garbage") this.send(t, ["\r\n>"], false);
      return;
    }
    this.commands.push(line);
    if (this.abortOnNewCommand) this.outQueue = [];
    if (this.mode === "silent") return;
    if (this.mode === "garbage") {
      this.send(t, ["\x8f\xfe\x01\x9c\xa3\x00\xf0garbage\xff\xfe\x87"], false);
      return;
    }
    if (this.mode === "nolib") {
      this.send(
        t,
        ['Uncaught ReferenceError: "mtdoops" is not defined', " at line 1 col 1", line, "^", ">"],
        false,
      );
      return;
    }
    let m = /^mtdoops\.dump\((-?\d+),([01])\)$/.exec(line);
    if (m) {
      this.send(t, this.dumpLines(Number(m[1]), m[2] === "1"), true);
      return;
    }
    m = /^mtdoops\.clear\((-?\d+)\)$/.exec(line);
    if (m) {
      if (this.ignoreClear) return;
      const n = this.log.clear(Number(m[1]) >>> 0);
      this.send(t, [formatCleared(n), ">"], true);
      return;
    }
    this.send(t, ["Uncaught SyntaxError: Got ?[0] expected EOF", ">"], false);
  }

  dumpLines(since: number, z: boolean): string[] {
    const lines: string[] = [];
    lines.push(
      formatBegin({
        version: PROTOCOL_VERSION,
        board: this.board,
        recordSize: this.recordSize,
        slots: this.log.slots,
        boot: this.log.boot,
        nextSeq: this.log.nextSeq,
      }),
    );
    let n = 0;
    this.log.forEach((r) => {
      if (since >= 0 && !seqNewer(r.record.seq, since >>> 0)) return;
      const raw = this.log.readRaw(r.slot);
      if (!raw) return;
      let enc = "b";
      let data = Buffer.from(raw).toString("base64");
      if (z) {
        const packed = heatshrinkCompress(raw, { espruinoQuirks: false });
        if (packed.length < raw.length) {
          enc = "h";
          data = Buffer.from(packed).toString("base64");
        }
      }
      lines.push(formatRecord(r.record.seq, r.slot, raw, crc32, enc, data));
      n++;
    });
    lines.push(formatEnd(n));
    lines.push(">");
    return lines;
  }

  /**
   * Sends lines one at a time, asynchronously, applying the faults. Output is one FIFO per
   * connection, as a board's TX buffer: a command's answer follows the previous one's.
   */
  private send(t: PipeTransport, lines: string[], protocol: boolean): void {
    const idle = this.outQueue.length === 0;
    for (const line of lines) this.outQueue.push({ t, line, protocol });
    if (idle) setTimeout(() => this.step(), 0);
  }

  private outQueue: Array<{ t: PipeTransport; line: string; protocol: boolean }> = [];

  private step(): void {
    const item = this.outQueue.shift();
    if (item === undefined) return;
    const { t, line, protocol } = item;
    if (t.closed) {
      this.outQueue = this.outQueue.filter((q) => q.t !== t);
      if (this.outQueue.length > 0) setTimeout(() => this.step(), 0);
      return;
    }
    const index = this.linesSent++;
    let out: string | null = line;
    if (protocol && this.lineHook && line.includes("MTDOOPS:")) out = this.lineHook(line, index);
    if (out !== null) t.receive(out + (line === ">" ? "" : "\r\n"));
    if (this.dropAfterLines !== null) {
      this.dropAfterLines--;
      if (this.dropAfterLines <= 0) {
        this.dropAfterLines = null;
        t.drop();
      }
    }
    if (this.outQueue.length > 0) setTimeout(() => this.step(), 0);
  }
}

/** Flips one bit of a character in the middle of a line (inside the data field). */
export function flipBit(line: string, at = 0.6): string {
  const i = Math.min(line.length - 1, Math.floor(line.length * at));
  return line.slice(0, i) + String.fromCharCode(line.charCodeAt(i) ^ 0x04) + line.slice(i + 1);
}

/** Drops a few characters from the middle of a line. */
export function dropBytes(line: string, at = 0.5, n = 3): string {
  const i = Math.floor(line.length * at);
  return line.slice(0, i) + line.slice(i + n);
}
