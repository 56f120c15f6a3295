// Every board's firmware bundle, run unchanged on the virtual board: each dump kind is
// recorded, survives a power cut, and reads back through the console protocol
// (mtdoops.dump parsed by the host's ProtocolParser, each record checked by decodeRecord).

import { describe, expect, it } from "vitest";
import { loadAllBoards } from "../src/boards/load.js";
import type { BoardDefinition } from "../src/boards/schema.js";
import { Flags, reasonName } from "../src/core/record.js";
import { openRecord, VirtualBoard } from "../src/sim/virtual-board.js";
import { buildFirmwareBundle } from "./helpers/firmware.js";
import type { OpenedRecord } from "../src/sim/virtual-board.js";

const boards = loadAllBoards();
const bundles = new Map<string, Record<string, string>>();
for (const b of boards) bundles.set(b.id, await buildFirmwareBundle(b));
function bundle(b: BoardDefinition): Record<string, string> {
  return bundles.get(b.id) as Record<string, string>;
}

function opened(vb: VirtualBoard, since = -1, z = false): OpenedRecord[] {
  const r = vb.retrieve(since, z);
  expect(r.error).toBeUndefined();
  expect(r.events.filter((e) => e.type === "corrupt")).toEqual([]);
  expect(r.end).toBe(r.records.length);
  return r.records.map((rec) => {
    const o = openRecord(rec.raw, vb.board.recordSize);
    expect(o.record.seq).toBe(rec.seq);
    return o;
  });
}

describe.each(boards.map((b) => [b.id, b] as const))("firmware on %s", (_id, board) => {
  it("boots and installs mtdoops", () => {
    const vb = new VirtualBoard({ board, firmware: bundle(board) });
    vb.boot();
    const out = vb.takeOutput();
    expect(out).not.toMatch(/not started|Uncaught|mount failed/);
    expect(vb.eval("typeof mtdoops.dump")).toBe("function");
    expect(vb.eval("mtdoops.stats().state")).toBe("ready");
    // The console stays where it was: the capture wraps print and console.log instead.
    expect(vb.eval("E.getConsole()")).not.toMatch(/Loopback/);
  });

  it("records oops, panic, errorflag and shutdown, and reads them back after a power cut", () => {
    const vb = new VirtualBoard({
      board,
      firmware: bundle(board),
      epochMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    vb.boot();
    vb.input('print("app running")\n');
    vb.eval(
      'setTimeout(function(){ print("about to fail"); throw new Error("boom in timer"); }, 50)',
    );
    vb.advance(100);
    expect(vb.takeOutput()).toContain("Uncaught Error: boom in timer");
    expect(vb.eval('mtdoops.panic("synchronous panic")')).toBe(true);
    vb.raiseErrorFlag("FIFO_FULL");
    vb.advance(10);
    expect(vb.takeOutput()).toContain("New interpreter error: FIFO_FULL");
    vb.input("reset()\n"); // 'kill': a shutdown record, written before the JS state goes
    vb.advance(10);
    expect(vb.eval("typeof mtdoops")).toBe("object"); // .boot0 ran again
    expect(vb.eval("mtdoops.stats().boot")).toBe(2); // and the log mounted again
    vb.reboot("power-cut");
    expect(vb.takeOutput()).not.toMatch(/not started|mount failed/);

    const recs = opened(vb);
    expect(recs.map((r) => reasonName(r.record.reason))).toEqual([
      "oops",
      "panic",
      "errorflag",
      "shutdown",
    ]);
    const [oops, panic, flag, shutdown] = recs as [
      OpenedRecord,
      OpenedRecord,
      OpenedRecord,
      OpenedRecord,
    ];
    for (const r of recs) {
      expect(r.context["board"]).toBe(board.id);
      expect(r.context["fw"]).toBe("2v29");
      expect(typeof r.context["lib"]).toBe("string");
      expect(r.context["mem"]).toMatchObject({ total: board.jsvars });
      expect(r.record.freed).toBe(false);
      expect(r.record.time).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);
      expect(r.console.includes("\r") || r.console.includes("\x1b")).toBe(false);
      expect(r.console).not.toMatch(/^>/m);
    }
    // The 'kill' handler runs in the JS state that reset() is about to clear: boot 1's log.
    expect(recs.every((r) => r.record.boot === 1)).toBe(true);
    expect(oops.context["msg"]).toBe("boom in timer");
    expect(String(oops.context["stack"])).toMatch(/at /);
    // The console holds what the app printed (not the REPL's echo), up to and including
    // the interpreter-style report.
    expect(oops.console).toContain("app running\n");
    expect(oops.console).not.toContain('print("app running")');
    expect(oops.console).toMatch(/about to fail\nUncaught Error: boom in timer\n/);
    expect(panic.context["msg"]).toBe("synchronous panic");
    expect(panic.console).toContain("Uncaught Error: boom in timer");
    expect(flag.context["flags"]).toEqual(["FIFO_FULL"]);
    expect(shutdown.context["msg"]).toBe("shutdown");
    // An error flag's record is written once the interpreter's report reached the ring.
    expect(flag.console).toMatch(/New interpreter error: FIFO_FULL\n$/);
    // The shutdown record holds the ring as the 'kill' handler found it: what came before
    // reset(), the error flag's report included.
    expect(shutdown.console).toContain("New interpreter error: FIFO_FULL");
    // Each record decodes the same way when sent compressed.
    const z = opened(vb, -1, true);
    expect(z.map((r) => r.record.crc)).toEqual(recs.map((r) => r.record.crc));
    // Only the records newer than `since`.
    expect(opened(vb, panic.record.seq).map((r) => r.record.seq)).toEqual([
      flag.record.seq,
      shutdown.record.seq,
    ]);
  });

  it("clears what the host saved; a dump then shows none, and new records follow", () => {
    const vb = new VirtualBoard({ board, firmware: bundle(board) });
    vb.boot();
    vb.eval('mtdoops.panic("one")');
    vb.eval('mtdoops.oops("two")');
    vb.advance(10);
    const recs = opened(vb);
    expect(recs.map((r) => r.context["msg"])).toEqual(["one", "two"]);
    const last = (recs[1] as OpenedRecord).record.seq;
    expect(vb.clearRecords(last)).toBe(2);
    expect(opened(vb)).toEqual([]);
    vb.eval('mtdoops.panic("three")');
    const after = opened(vb);
    expect(after.map((r) => r.context["msg"])).toEqual(["three"]);
    expect((after[0] as OpenedRecord).record.seq).toBe(last + 1);
    vb.reboot("power-cut");
    expect(opened(vb).map((r) => r.context["msg"])).toEqual(["three"]);
  });

  it("keeps older records through a power cut in the middle of a write", () => {
    // Find how many flash operations a panic takes, then cut at each of them in turn.
    const probe = new VirtualBoard({ board, firmware: bundle(board) });
    probe.boot();
    probe.eval('mtdoops.panic("first")');
    const before = probe.flash.opsCount;
    probe.eval('mtdoops.panic("second")');
    const opsPerPanic = probe.flash.opsCount - before;
    expect(opsPerPanic).toBeGreaterThan(0);
    for (let k = 0; k < opsPerPanic; k++) {
      const vb = new VirtualBoard({ board, firmware: bundle(board), seed: 100 + k });
      vb.boot();
      vb.eval('mtdoops.panic("first")');
      vb.flash.cutPowerAfter({ ops: k, mode: "torn" });
      vb.eval('mtdoops.panic("second")');
      expect(vb.halted).toBe(true);
      vb.reboot("power-cut");
      expect(vb.takeOutput()).not.toMatch(/not started|mount failed/);
      expect(vb.eval("mtdoops.stats().state")).toBe("ready");
      const msgs = opened(vb).map((r) => r.context["msg"]);
      expect(msgs[0]).toBe("first");
      expect(msgs.length).toBeLessThanOrEqual(2);
      // the log goes on writing
      vb.eval('mtdoops.panic("third")');
      expect(
        opened(vb)
          .map((r) => r.context["msg"])
          .slice(-1),
      ).toEqual(["third"]);
    }
  });

  it("fills the whole partition and wraps around, erasing ahead", () => {
    const vb = new VirtualBoard({ board, firmware: bundle(board) });
    vb.boot();
    const slots = board.size / board.recordSize;
    // Each boot writes at most 8 records: spread them over boots, late in each boot (early
    // crashes in 3 boots in a row would be a crash loop, whose early dumps are dropped).
    let n = 0;
    while (n < slots + 3) {
      vb.advance(31_000);
      for (let i = 0; i < 4; i++) vb.eval('mtdoops.panic("p' + n++ + '")');
      vb.advance(10);
      vb.reboot("power-cut");
    }
    const recs = opened(vb);
    const msgs = recs.map((r) => r.context["msg"]);
    expect(msgs[msgs.length - 1]).toBe("p" + (n - 1));
    // At least all but the block being erased ahead survive, in order.
    expect(recs.length).toBeGreaterThanOrEqual(slots - board.eraseSize / board.recordSize);
    const seqs = recs.map((r) => r.record.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(recs.every((r) => (r.record.flags & Flags.UNEXPECTED) === 0)).toBe(true);
  });
});
