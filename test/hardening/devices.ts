// Scripted misbehaving devices for the retrieval: what a user's port may really have on the
// other end (a GPS module, a board at the wrong baud rate, a board printing in a loop, a
// board whose answers are odd). Each is a ConsoleEndpoint, so the same script runs behind
// an in-process pipe on a manual clock (test/retrieve-limits.test.ts) and behind a real TCP
// server or pty (test/hardening/serial.ts), and each says what the retrieval must end with.

import { crc32 } from "../../src/core/crc32.js";
import {
  formatBegin,
  formatCleared,
  formatEnd,
  formatError,
  formatRecord,
  PROTOCOL_VERSION,
} from "../../src/core/protocol.js";
import {
  COMMIT_VALUE,
  OFF_COMMIT,
  Reason,
  buildPayload,
  encodeRecord,
  putU32,
} from "../../src/core/record.js";
import type { RetrieveClock } from "../../src/host/retrieve.js";
import type { ConsoleEndpoint } from "../../src/host/sim-server.js";
import { Prng } from "../../src/sim/prng.js";

export const RECORD_SIZE = 256;
export const SLOTS = 8;

/** The records a well-behaved board of this kind holds: seq 1..4, raw bytes as REC sends them. */
export function boardRecords(): Array<{ seq: number; slot: number; raw: Uint8Array }> {
  const out: Array<{ seq: number; slot: number; raw: Uint8Array }> = [];
  for (let seq = 1; seq <= 4; seq++) {
    const payload = buildPayload(
      new TextEncoder().encode('{"msg":"crash ' + seq + '"}'),
      new TextEncoder().encode("console line " + seq + "\r\nUncaught Error: e" + seq + "\r\n"),
    );
    const bytes = encodeRecord(
      {
        seq,
        boot: seq,
        reason: Reason.OOPS,
        flags: 0,
        time: 1_764_115_200 + seq,
        uptime: 1000 * seq,
        payloadLength: payload.length,
        rawLength: payload.length,
      },
      payload,
      1,
      crc32,
    );
    putU32(bytes, OFF_COMMIT, COMMIT_VALUE);
    out.push({ seq, slot: seq - 1, raw: bytes });
  }
  return out;
}

function recLine(r: { seq: number; slot: number; raw: Uint8Array }): string {
  return formatRecord(r.seq, r.slot, r.raw, crc32, "b", Buffer.from(r.raw).toString("base64"));
}

export type DeviceKind =
  | "good"
  | "dup-rec"
  | "rec-console"
  | "nmea"
  | "noise"
  | "trickle"
  | "console-loop"
  | "cleared-loop"
  | "begin-4gb"
  | "error-escape"
  | "silent"
  | "nolib";

export interface Expectation {
  /** The RetrieveError code, or null when the retrieval succeeds. */
  code: string | null;
  /** What the message must say. */
  message: RegExp;
  /** Seqs saved at the end. */
  saved: number[];
  /** Seqs reported missing. */
  missing?: number[];
  /** What `mtdoops logs` adds on its error line (the records kept and missing). */
  cliMessage?: RegExp;
}

export const EXPECT: Record<DeviceKind, Expectation> = {
  good: { code: null, message: /./, saved: [1, 2, 3, 4] },
  "dup-rec": { code: null, message: /./, saved: [1, 2, 3, 4] },
  "rec-console": {
    code: "ERETRIES",
    message: /corrupt line/,
    saved: [1, 2],
    missing: [3],
    cliMessage:
      /; verified and saved: seq 1-2 in \S+; missing: seq 3 \(their lines never arrived intact; run again to fetch them\)$/,
  },
  nmea: { code: "ENOBEGIN", message: /NMEA sentences: a GPS receiver/, saved: [] },
  noise: { code: "ENOBEGIN", message: /binary data, not an Espruino console/, saved: [] },
  trickle: { code: "ENOBEGIN", message: /no MTDOOPS:BEGIN line within \d+ ms/, saved: [] },
  "console-loop": {
    code: "ERETRIES",
    message: /none of them a new record \(the board prints in a loop/,
    saved: [],
  },
  "cleared-loop": {
    code: "ERETRIES",
    message: /none of them a new record/,
    saved: [],
  },
  "begin-4gb": {
    code: "EPROTOCOL",
    message: /claiming 8 slot\(s\) of 4294967296 bytes/,
    saved: [],
  },
  "error-escape": {
    code: "EDEVICE",
    message: /reported an error: \\e\[2J\\x07x+… \(5\d{3} characters\)$/,
    saved: [],
  },
  silent: { code: "ETIMEOUT", message: /no answer from/, saved: [] },
  nolib: { code: "ENOLIB", message: /does not run espruino-mtdoops/, saved: [] },
};

export const DEVICE_KINDS = Object.keys(EXPECT) as DeviceKind[];

/** One scripted device. Output starts when a client is there (`start`), and stops at `stop`. */
export class ScriptedDevice implements ConsoleEndpoint {
  private listeners: Array<(text: string) => void> = [];
  private cancels: Array<() => void> = [];
  private input_ = "";
  private readonly prng: Prng;
  private started = false;
  stopped = false;

  constructor(
    readonly kind: DeviceKind,
    readonly seed: number,
    private readonly clock: RetrieveClock,
  ) {
    this.prng = new Prng(seed);
  }

  onOutput(listener: (text: string) => void): () => void {
    this.listeners.push(listener);
    if (!this.started) this.start();
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  private send(text: string): void {
    if (this.stopped) return;
    for (const l of this.listeners.slice()) l(text);
  }

  /** Sends `make()` every `ms`, for ever (until stop). */
  private every(ms: number, make: () => string): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.send(make());
      this.cancels.push(this.clock.setTimer(tick, ms));
    };
    this.cancels.push(this.clock.setTimer(tick, ms));
  }

  private start(): void {
    this.started = true;
    if (this.kind === "nmea")
      this.every(
        100,
        () => "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n",
      );
    else if (this.kind === "noise")
      this.every(20, () => {
        let s = "";
        for (let i = 0; i < 64; i++) s += String.fromCharCode(this.prng.nextUint32() & 255);
        return s;
      });
    else if (this.kind === "trickle") this.every(3000, () => "x");
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.cancels) c();
    this.cancels = [];
  }

  input(text: string): void {
    this.input_ += text;
    let nl = this.input_.indexOf("\n");
    while (nl >= 0) {
      const raw = this.input_.slice(0, nl);
      const line = raw.charCodeAt(0) === 0x10 ? raw.slice(1) : raw;
      this.input_ = this.input_.slice(nl + 1);
      this.command(line);
      nl = this.input_.indexOf("\n");
    }
  }

  private begin(recordSize = RECORD_SIZE): string {
    return (
      formatBegin({
        version: PROTOCOL_VERSION,
        board: "scripted",
        recordSize,
        slots: SLOTS,
        boot: 5,
        nextSeq: 5,
      }) + "\r\n"
    );
  }

  private command(line: string): void {
    const k = this.kind;
    if (k === "silent" || k === "nmea" || k === "noise" || k === "trickle") return;
    if (line === "") {
      if (k !== "nolib") this.send("\r\n>");
      else this.send("\r\n>");
      return;
    }
    const dump = /^mtdoops\.dump\((-?\d+),\d\)$/.exec(line);
    const clear = /^mtdoops\.clear\((\d+)\)$/.exec(line);
    if (k === "nolib") {
      this.send('Uncaught ReferenceError: "mtdoops" is not defined\r\n at line 1 col 1\r\n>');
      return;
    }
    if (clear) {
      this.send(formatCleared(0) + "\r\n>");
      return;
    }
    if (!dump) return;
    const since = Number(dump[1]);
    const records = boardRecords().filter((r) => r.seq > since);
    if (k === "begin-4gb") {
      this.send(this.begin(4294967296));
      return;
    }
    if (k === "error-escape") {
      this.send(formatError("\x1b[2J\x07" + "x".repeat(5000)) + "\r\n>");
      return;
    }
    this.send(this.begin());
    if (k === "console-loop") {
      this.every(
        10,
        () =>
          "tick " +
          this.prng.nextUint32() +
          " sensor=42 temperature=21.5 ok ok ok ok ok ok ok ok\r\n",
      );
      return;
    }
    if (k === "cleared-loop") {
      this.every(10, () => (formatCleared(0) + "\r\n").repeat(5));
      return;
    }
    for (const r of records) {
      let l = recLine(r);
      if (k === "rec-console" && r.seq === 3) {
        // The board's own output lands in the middle of the line.
        const at = 40 + (this.prng.nextUint32() % (l.length - 80));
        l = l.slice(0, at) + "\r\nWARNING: low battery\r\n" + l.slice(at);
      }
      this.send(l + "\r\n");
      if (k === "dup-rec") this.send(l + "\r\n");
    }
    this.send(formatEnd(records.length) + "\r\n>");
  }
}
