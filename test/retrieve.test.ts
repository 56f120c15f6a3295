import { describe, expect, it } from "vitest";
import { retrieve, RetrieveError, noLibraryMessage } from "../src/host/retrieve.js";
import type { RetrieveOptions, RetrieveSink } from "../src/host/retrieve.js";
import type { EspruinoDecodedRecord } from "../src/host/decode-image.js";
import type { RetrieveEvent } from "../src/host/progress.js";
import { FakeBoard, dropBytes, flipBit } from "./retrieve-fake-board.js";
import { crc32 } from "../src/core/crc32.js";

class MemorySink implements RetrieveSink {
  saved: EspruinoDecodedRecord[] = [];
  raws: Uint8Array[] = [];
  boards: string[] = [];
  failAt: number | null = null;
  begin(info: { board: string }): void {
    this.boards.push(info.board);
  }
  async save(record: EspruinoDecodedRecord, raw: Uint8Array): Promise<string> {
    if (this.failAt !== null && this.saved.length === this.failAt)
      throw new Error("disk full (injected)");
    this.saved.push(record);
    this.raws.push(raw);
    return `mem:${record.seq}`;
  }
  get seqs(): number[] {
    return this.saved.map((r) => r.seq);
  }
}

function run(
  board: FakeBoard,
  sink: MemorySink,
  extra: Partial<RetrieveOptions> = {},
  events: RetrieveEvent[] = [],
) {
  return retrieve({
    connect: board.connect,
    port: "fake://board",
    sink,
    timeoutMs: 300,
    promptWaitMs: 20,
    onProgress: (e) => events.push(e),
    ...extra,
  });
}

function countCommands(board: FakeBoard, prefix: string): number {
  return board.commands.filter((c) => c.startsWith(prefix)).length;
}

describe("retrieve: the happy path", () => {
  it("saves every live record once, oldest first, verified", async () => {
    const board = new FakeBoard();
    board.crash(6);
    const want = board.liveSeqs();
    expect(want.length).toBe(6);
    const sink = new MemorySink();
    const events: RetrieveEvent[] = [];
    const res = await run(board, sink, {}, events);
    expect(sink.seqs).toEqual(want);
    expect(res.newestSeq).toBe(want[want.length - 1]);
    expect(res.cleared).toBeNull();
    expect(res.faults).toBe(0);
    expect(sink.boards).toEqual(["fakeboard"]);
    expect(sink.saved[0]?.text).toContain("Uncaught Error: boom 0");
    expect(sink.saved[0]?.reason).toBe("oops");
    expect(sink.saved[2]?.reason).toBe("panic");
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("connecting");
    expect(types).toContain("waiting-for-prompt");
    expect(types).toContain("begin");
    expect(types.filter((t) => t === "verified").length).toBe(6);
    expect(types.filter((t) => t === "saved").length).toBe(6);
    expect(types[types.length - 1]).toBe("done");
    expect(countCommands(board, "mtdoops.clear")).toBe(0);
    // Nothing freed without --clear.
    expect(board.liveSeqs()).toEqual(want);
  });

  it("works uncompressed and compressed in transit", async () => {
    for (const compress of [false, true]) {
      const board = new FakeBoard();
      board.crash(3, (i) => `repeated text ${i} `.repeat(40) + "\r\n");
      const sink = new MemorySink();
      await run(board, sink, { compress });
      expect(sink.seqs).toEqual(board.liveSeqs());
      expect(board.commands[0]).toBe(`mtdoops.dump(-1,${compress ? 1 : 0})`);
    }
  });

  it("--since asks only for newer records", async () => {
    const board = new FakeBoard();
    board.crash(5);
    const all = board.liveSeqs();
    const sink = new MemorySink();
    await run(board, sink, { since: all[1] });
    expect(sink.seqs).toEqual(all.slice(2));
    expect(board.commands[0]).toBe(`mtdoops.dump(${all[1]},1)`);
  });

  it("an empty log: no record, nothing cleared", async () => {
    const board = new FakeBoard();
    const sink = new MemorySink();
    const res = await run(board, sink, { clear: true });
    expect(sink.seqs).toEqual([]);
    expect(res.cleared).toBe(0);
    expect(countCommands(board, "mtdoops.clear")).toBe(0);
  });
});

describe("retrieve: --clear", () => {
  it("clears up to the newest saved record after END, and checks CLEARED", async () => {
    const board = new FakeBoard();
    board.crash(4);
    const want = board.liveSeqs();
    const sink = new MemorySink();
    const events: RetrieveEvent[] = [];
    const res = await run(board, sink, { clear: true }, events);
    expect(sink.seqs).toEqual(want);
    expect(res.cleared).toBe(4);
    expect(board.liveSeqs()).toEqual([]);
    expect(board.commands[board.commands.length - 1]).toBe(`mtdoops.clear(${want[3]})`);
    const types = events.map((e) => e.type);
    expect(types.indexOf("clearing")).toBeGreaterThan(types.lastIndexOf("saved"));
    expect(events.find((e) => e.type === "cleared")).toEqual({ type: "cleared", count: 4 });
  });

  it("a disk write failure stops the retrieval and clears nothing", async () => {
    const board = new FakeBoard();
    board.crash(5);
    const want = board.liveSeqs();
    const sink = new MemorySink();
    sink.failAt = 2;
    const err = await run(board, sink, { clear: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetrieveError);
    expect((err as RetrieveError).code).toBe("ESAVE");
    expect((err as RetrieveError).message).toMatch(/disk full.*nothing was cleared/);
    expect(countCommands(board, "mtdoops.clear")).toBe(0);
    expect(board.liveSeqs()).toEqual(want);
  });

  it("a lost CLEARED answer: the (idempotent) clear is sent again", async () => {
    const board = new FakeBoard();
    board.crash(3);
    const sink = new MemorySink();
    let dropped = false;
    board.lineHook = (line) => {
      if (!dropped && line.includes("CLEARED")) {
        dropped = true;
        return null;
      }
      return line;
    };
    const res = await run(board, sink, { clear: true });
    expect(countCommands(board, "mtdoops.clear")).toBe(2);
    expect(res.cleared).toBe(0); // the second clear finds them already freed
    expect(board.liveSeqs()).toEqual([]);
  });

  it("records the board writes during the retrieval are newer and stay", async () => {
    const board = new FakeBoard();
    board.crash(3);
    const first = board.liveSeqs();
    const sink = new MemorySink();
    let added = false;
    board.lineHook = (line) => {
      if (!added && line.includes("MTDOOPS:END")) {
        added = true;
        board.crash(1, () => "late crash\r\n");
      }
      return line;
    };
    const res = await run(board, sink, { clear: true });
    expect(sink.seqs).toEqual(first);
    expect(res.cleared).toBe(3);
    const left = board.liveSeqs();
    expect(left.length).toBe(1);
    expect(left[0]).toBe((first[2] as number) + 1);
  });
});

describe("retrieve: faults, resume, no duplicate, no loss", () => {
  it("resumes after a dropped connection from the newest verified record", async () => {
    const board = new FakeBoard();
    board.crash(8);
    const want = board.liveSeqs();
    board.dropAfterLines = 2 /* "\r\n>" and BEGIN */ + 3;
    const sink = new MemorySink();
    const events: RetrieveEvent[] = [];
    const res = await run(board, sink, { clear: true }, events);
    expect(sink.seqs).toEqual(want);
    expect(new Set(sink.seqs).size).toBe(sink.seqs.length);
    expect(board.connections).toBe(2);
    const resumed = events.filter((e) => e.type === "resumed");
    expect(resumed.length).toBe(1);
    expect(resumed[0]).toMatchObject({ fromSeq: want[2], why: expect.stringMatching(/dropped/) });
    expect(board.commands).toContain(`mtdoops.dump(${want[2]},1)`);
    expect(res.cleared).toBe(8);
    expect(res.faults).toBe(1);
  });

  it("resumes after line noise: a flipped bit and dropped bytes in REC lines", async () => {
    const board = new FakeBoard();
    board.crash(9);
    const want = board.liveSeqs();
    board.abortOnNewCommand = true;
    // Each of two records is damaged the first time it is sent.
    const hit = new Map([
      [want[2] as number, flipBit],
      [want[6] as number, dropBytes],
    ]);
    board.lineHook = (line) => {
      if (!line.includes("MTDOOPS:REC")) return line;
      const seq = Number(line.split(" ")[1]);
      const damage = hit.get(seq);
      if (!damage) return line;
      hit.delete(seq);
      return damage(line);
    };
    const sink = new MemorySink();
    const events: RetrieveEvent[] = [];
    const res = await run(board, sink, { clear: true }, events);
    expect(sink.seqs).toEqual(want);
    expect(res.faults).toBe(2);
    expect(
      events
        .filter((e) => e.type === "resumed")
        .every((e) => e.type === "resumed" && /corrupt/.test(e.why)),
    ).toBe(true);
    expect(res.cleared).toBe(9);
  });

  it("a noisy bit that survives the transport CRC check cannot pass the record check", async () => {
    // The line's CRC is recomputed over corrupted bytes: only the record's own CRC catches it.
    const board = new FakeBoard();
    board.crash(3);
    const want = board.liveSeqs();
    let done = false;
    board.lineHook = (line) => {
      if (done || !line.includes("MTDOOPS:REC")) return line;
      done = true;
      const f = line.split(" ");
      const raw = Buffer.from(f[6] as string, "base64");
      if (f[5] === "h") return line; // only for plain records
      raw[60] = (raw[60] as number) ^ 1;
      f[4] = crc32(new Uint8Array(raw)).toString(16).padStart(8, "0");
      f[6] = raw.toString("base64");
      return f.join(" ");
    };
    const sink = new MemorySink();
    const events: RetrieveEvent[] = [];
    await run(board, sink, { compress: false }, events);
    expect(sink.seqs).toEqual(want);
    expect(events.some((e) => e.type === "resumed" && /not a valid record/.test(e.why))).toBe(true);
  });

  it("a REC line lost without a trace is caught by END's count and fetched again", async () => {
    const board = new FakeBoard();
    board.crash(6);
    const want = board.liveSeqs();
    let recs = 0;
    board.lineHook = (line) => {
      if (line.includes("MTDOOPS:REC") && ++recs === 3) return "MTDOPS" + line.slice(8); // tag mangled
      return line;
    };
    const sink = new MemorySink();
    const events: RetrieveEvent[] = [];
    const res = await run(board, sink, { clear: true }, events);
    expect([...sink.seqs].sort((a, b) => a - b)).toEqual(want);
    expect(new Set(sink.seqs).size).toBe(want.length);
    expect(events.some((e) => e.type === "resumed" && /END says 6/.test(e.why))).toBe(true);
    expect(res.cleared).toBe(6);
  });

  it("a corrupt END line: resumes, gets an empty dump, ends", async () => {
    const board = new FakeBoard();
    board.crash(3);
    const want = board.liveSeqs();
    let hit = false;
    board.lineHook = (line) => {
      if (!hit && line.includes("MTDOOPS:END")) {
        hit = true;
        return line.replace("END 3", "END 3 x");
      }
      return line;
    };
    const sink = new MemorySink();
    await run(board, sink);
    expect(sink.seqs).toEqual(want);
    expect(board.commands).toEqual(["mtdoops.dump(-1,1)", `mtdoops.dump(${want[2]},1)`]);
  });

  it("a timeout mid-stream resumes", async () => {
    const board = new FakeBoard();
    board.crash(4);
    const want = board.liveSeqs();
    let recs = 0;
    let stalled = false;
    board.lineHook = (line) => {
      if (line.includes("MTDOOPS:REC") && ++recs === 2 && !stalled) {
        stalled = true;
        board.mode = "silent"; // the rest of this dump never comes...
        setTimeout(() => (board.mode = "ok"), 100); // ...but the board answers again later
        return null;
      }
      if (board.mode === "silent") return null;
      return line;
    };
    const sink = new MemorySink();
    const events: RetrieveEvent[] = [];
    await run(board, sink, {}, events);
    expect(sink.seqs).toEqual(want);
    expect(events.some((e) => e.type === "resumed" && /no data/.test(e.why))).toBe(true);
  });

  it("keeps going while each retry makes progress (noise on every other record)", async () => {
    const board = new FakeBoard({ blocks: 8 });
    board.crash(20);
    const want = board.liveSeqs();
    board.abortOnNewCommand = true;
    const damaged = new Set<number>();
    board.lineHook = (line) => {
      if (!line.includes("MTDOOPS:REC")) return line;
      const seq = Number(line.split(" ")[1]);
      if (seq % 2 === 1 || damaged.has(seq)) return line;
      damaged.add(seq);
      return flipBit(line);
    };
    const sink = new MemorySink();
    const res = await run(board, sink, { clear: true });
    expect(sink.seqs).toEqual(want);
    expect(res.faults).toBeGreaterThan(5);
    expect(board.liveSeqs()).toEqual([]);
  });

  it("gives up after bounded retries with a clear error, clearing nothing", async () => {
    const board = new FakeBoard();
    board.crash(3);
    const want = board.liveSeqs();
    board.lineHook = (line) => (line.includes("MTDOOPS:REC") ? flipBit(line) : line);
    const sink = new MemorySink();
    const err = await run(board, sink, { clear: true, maxRetries: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetrieveError);
    expect((err as RetrieveError).code).toBe("ERETRIES");
    expect((err as Error).message).toMatch(
      /failed 4 times in a row .*corrupt.*nothing was cleared/,
    );
    expect(countCommands(board, "mtdoops.dump")).toBe(4);
    expect(countCommands(board, "mtdoops.clear")).toBe(0);
    expect(board.liveSeqs()).toEqual(want);
  });

  it("a reconnect that keeps failing ends with a clear error", async () => {
    const board = new FakeBoard();
    board.crash(3);
    board.dropAfterLines = 3;
    const origConnect = board.connect;
    let n = 0;
    const sink = new MemorySink();
    const err = await retrieve({
      connect: async () => {
        if (n++ > 0) throw new Error("serial port /dev/ttyX does not exist");
        return origConnect();
      },
      port: "fake://board",
      sink,
      timeoutMs: 300,
      promptWaitMs: 20,
      maxRetries: 2,
    }).catch((e: unknown) => e);
    expect((err as RetrieveError).code).toBe("ERETRIES");
    expect((err as Error).message).toMatch(/does not exist/);
  });
});

describe("retrieve: boards that do not speak the protocol", () => {
  it("a board without the library", async () => {
    const board = new FakeBoard({ mode: "nolib" });
    const err = await run(board, new MemorySink(), { boardHint: "puckjs" }).catch(
      (e: unknown) => e,
    );
    expect((err as RetrieveError).code).toBe("ENOLIB");
    expect((err as Error).message).toBe(noLibraryMessage("fake://board", "puckjs"));
    expect((err as Error).message).toBe(
      "the board at fake://board does not run espruino-mtdoops; install it with: mtdoops flash --board puckjs --port fake://board",
    );
  });

  it("a device that answers garbage", async () => {
    const board = new FakeBoard({ mode: "garbage" });
    const err = await run(board, new MemorySink()).catch((e: unknown) => e);
    expect((err as RetrieveError).code).toBe("EGARBAGE");
    expect((err as Error).message).toMatch(/not an Espruino console/);
  });

  it("a device that answers nothing", async () => {
    const board = new FakeBoard({ mode: "silent" });
    const t0 = Date.now();
    const err = await run(board, new MemorySink()).catch((e: unknown) => e);
    expect((err as RetrieveError).code).toBe("ETIMEOUT");
    expect((err as Error).message).toMatch(/no answer from fake:\/\/board within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it("a port that cannot be opened", async () => {
    const err = await retrieve({
      connect: async () => {
        throw new Error("serial port /dev/nope does not exist");
      },
      port: "/dev/nope",
      sink: new MemorySink(),
    }).catch((e: unknown) => e);
    expect((err as RetrieveError).code).toBe("ECONNECT");
    expect((err as Error).message).toBe("serial port /dev/nope does not exist");
  });

  it("MTDOOPS:ERROR from the board is reported", async () => {
    const board = new FakeBoard();
    board.lineHook = (line) =>
      line.includes("BEGIN") ? "MTDOOPS:ERROR log failed to mount: EIO" : line;
    const err = await run(board, new MemorySink()).catch((e: unknown) => e);
    expect((err as RetrieveError).code).toBe("EDEVICE");
    expect((err as Error).message).toMatch(/log failed to mount: EIO/);
  });
});
