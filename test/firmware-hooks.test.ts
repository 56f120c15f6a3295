// Where dumps come from (the hooks in firmware/api.ts) and the device API (firmware/api.ts), on the
// virtual board: reset reasons per board kind, the uncaught-exception report, shutdown on
// load()/E.reboot(), and the mtdoops commands.

import { describe, expect, it } from "vitest";
import { loadBoard } from "../src/boards/load.js";
import type { BoardDefinition } from "../src/boards/schema.js";
import { Flags, reasonName } from "../src/core/record.js";
import { openRecord, RESETREAS, VirtualBoard } from "../src/sim/virtual-board.js";
import { buildFirmwareBundle } from "./helpers/firmware.js";
import type { OpenedRecord } from "../src/sim/virtual-board.js";

const puck = loadBoard("puckjs");
const linux = loadBoard("linux");
const PUCK = await buildFirmwareBundle(puck);
const LINUX = await buildFirmwareBundle(linux);

/** The linux board with the firmware installed, powered on. */
function bootedLinux(): VirtualBoard {
  const vb = new VirtualBoard({ board: linux, firmware: LINUX });
  vb.boot();
  return vb;
}

function records(vb: VirtualBoard): OpenedRecord[] {
  const r = vb.retrieve();
  expect(r.error).toBeUndefined();
  return r.records.map((x) => openRecord(x.raw, vb.board.recordSize));
}

describe("reset reason at boot", () => {
  it("nRF52 watchdog (RESETREAS DOG): a reboot record flagged UNEXPECTED, and RESETREAS is cleared", () => {
    const vb = new VirtualBoard({ board: puck, firmware: PUCK });
    vb.boot();
    vb.advance(40_000);
    vb.reboot("watchdog");
    vb.advance(10);
    expect(vb.resetreas).toBe(0); // written back as 1s: cleared
    const recs = records(vb);
    expect(recs.map((r) => reasonName(r.record.reason))).toEqual(["reboot"]);
    const rec = recs[0] as OpenedRecord;
    expect(rec.record.flags & Flags.UNEXPECTED).toBe(Flags.UNEXPECTED);
    expect(rec.context["reset"]).toBe("watchdog");
    expect(rec.record.boot).toBe(1);
  });

  it("nRF52 lockup: UNEXPECTED; the reset pin and wake from System OFF: no record", () => {
    for (const [reg, want] of [
      [RESETREAS.LOCKUP, "lockup"],
      [RESETREAS.RESETPIN, undefined],
      [0x10000, undefined],
      [0, undefined],
    ] as const) {
      const vb = new VirtualBoard({ board: puck, firmware: PUCK });
      vb.resetreas = reg; // the reason of the first boot
      vb.boot();
      vb.advance(10);
      const recs = records(vb);
      expect(recs.map((r) => r.context["reset"])).toEqual(want ? [want] : []);
      if (want)
        expect((recs[0] as OpenedRecord).record.flags & Flags.UNEXPECTED).toBe(Flags.UNEXPECTED);
      expect(vb.resetreas).toBe(0);
    }
  });

  it("nRF52 system reset request: none after E.reboot() (a shutdown record was written), a record otherwise", () => {
    const vb = new VirtualBoard({ board: puck, firmware: PUCK });
    vb.boot();
    vb.input("E.reboot()\n");
    vb.advance(10);
    expect(vb.resetreas & RESETREAS.SREQ).toBe(0); // read and cleared by the new boot
    expect(records(vb).map((r) => reasonName(r.record.reason))).toEqual(["shutdown"]);
    vb.eval('mtdoops.panic("last words")');
    // SREQ with no shutdown record behind it: e.g. the firmware's own fault handler
    const vb2 = new VirtualBoard({
      board: puck,
      firmware: PUCK,
      flash: vb.flash,
      storage: vb.storage,
    });
    vb2.resetreas = RESETREAS.SREQ;
    vb2.boot();
    vb2.advance(10);
    const recs = records(vb2);
    expect(recs.map((r) => reasonName(r.record.reason))).toEqual(["shutdown", "panic", "reboot"]);
    const last = recs[2] as OpenedRecord;
    expect(last.context["reset"]).toBe("system reset request");
    expect(last.record.flags & Flags.UNEXPECTED).toBe(0);
  });

  it("ESP8266: ESP8266.getResetInfo() 'wdt reset' and 'exception' are recorded, 'power on' is not", async () => {
    const esp: BoardDefinition = { ...linux, id: "esp8266test", resetReason: "esp8266" };
    const code = await buildFirmwareBundle(esp);
    const vb = new VirtualBoard({ board: esp, firmware: code });
    vb.boot();
    vb.advance(10);
    expect(records(vb)).toEqual([]);
    vb.reboot("watchdog");
    vb.advance(10);
    const recs = records(vb);
    expect(recs.map((r) => r.context["reset"])).toEqual(["wdt reset exccause 0 epc1 0"]);
    expect((recs[0] as OpenedRecord).record.flags & Flags.UNEXPECTED).toBe(Flags.UNEXPECTED);
  });

  it('"none": nothing is written at boot, whatever the restart', () => {
    const vb = bootedLinux();
    vb.reboot("watchdog");
    vb.reboot("power-cut");
    vb.advance(10);
    expect(records(vb)).toEqual([]);
  });
});

describe("dump hooks", () => {
  it("hands an uncaught exception back to the interpreter, which reports it as without the logger", () => {
    const vb = bootedLinux();
    vb.takeOutput();
    vb.eval('setTimeout(function(){ throw new TypeError("bad type"); }, 5)');
    vb.advance(10);
    const out = vb.takeOutput();
    expect(out.match(/Uncaught/g)?.length).toBe(1);
    expect(out).toMatch(/Uncaught TypeError: bad type\r\n {4}at /);
    vb.eval('setTimeout(function(){ throw "a string"; }, 5)');
    vb.advance(10);
    expect(vb.takeOutput()).toContain("Uncaught a string");
    const recs = records(vb);
    expect(recs.map((r) => r.context["msg"])).toEqual(["bad type", "a string"]);
    expect((recs[1] as OpenedRecord).context["stack"]).toBeUndefined();
  });

  it("keeps the interpreter's onErrorSave: the first unhandled error goes to the ERROR file", () => {
    const vb = bootedLinux();
    vb.eval("E.setFlags({onErrorSave:1})");
    vb.eval('setTimeout(function(){ throw new Error("saved"); }, 5)');
    vb.advance(10);
    vb.eval('setTimeout(function(){ throw new Error("second"); }, 5)');
    vb.advance(10);
    expect(vb.storage.readText("ERROR")).toMatch(/^Error: saved\n {4}at /);
    expect(records(vb).map((r) => r.context["msg"])).toEqual(["saved", "second"]);
  });

  it("an app's own handler still takes the error: nothing printed, and it is recorded", () => {
    const vb = bootedLinux();
    vb.eval("process.on('uncaughtException', function(e){ print('app caught ' + e.message) })");
    vb.takeOutput();
    vb.eval('setTimeout(function(){ throw new Error("handled by the app"); }, 5)');
    vb.advance(10);
    const out = vb.takeOutput();
    expect(out).toContain("app caught handled by the app");
    expect(out).not.toContain("Uncaught");
    const recs = records(vb);
    expect(recs.map((r) => r.context["msg"])).toEqual(["handled by the app"]);
    // Not printed, so not in the record's console either.
    expect((recs[0] as OpenedRecord).console).not.toContain("Uncaught");
  });

  it("an exception the app emits itself (process.emit) is recorded once, and reported", () => {
    const vb = bootedLinux();
    vb.takeOutput();
    vb.eval('process.emit("uncaughtException", new Error("emitted"))');
    vb.advance(10);
    expect(vb.takeOutput().match(/Uncaught Error: emitted/g)?.length).toBe(1);
    expect(records(vb).map((r) => r.context["msg"])).toEqual(["emitted"]);
    // The same string thrown twice is two crashes.
    vb.eval('setTimeout(function(){ throw "same"; }, 5)');
    vb.advance(10);
    vb.eval('setTimeout(function(){ throw "same"; }, 5)');
    vb.advance(10);
    expect(records(vb).map((r) => r.context["msg"])).toEqual(["emitted", "same", "same"]);
  });

  it("past the per-boot cap an uncaught exception is only counted, and still reported", () => {
    const vb = bootedLinux();
    for (let i = 0; i < 8; i++) vb.eval('mtdoops.panic("p' + i + '")');
    vb.takeOutput();
    vb.eval('setTimeout(function(){ throw new Error("past the cap"); }, 5)');
    vb.advance(10);
    expect(vb.takeOutput()).toMatch(/Uncaught Error: past the cap\r\n {4}at /);
    expect(vb.eval("mtdoops.stats().suppressed")).toBe(1);
    // The one record still allowed, a panic, shows the count.
    vb.eval('mtdoops.panic("last")');
    const recs = records(vb);
    expect(recs.length).toBe(9);
    expect((recs[8] as OpenedRecord).context["suppressed"]).toBe(1);
  });

  it("the app keeps running after an uncaught exception (intervals go on)", () => {
    const vb = bootedLinux();
    vb.eval(
      "var n = 0; setInterval(function(){ n++; if (n === 2) throw new Error('once'); }, 100)",
    );
    vb.advance(1000);
    expect(vb.eval("n")).toBeGreaterThanOrEqual(9);
    expect(records(vb).length).toBe(1);
  });

  it("load() writes a shutdown record and the library comes back with the boot files", () => {
    const vb = bootedLinux();
    vb.storage.writeFile("app.js", 'print("app loaded")');
    vb.input('load("app.js")\n');
    vb.advance(10);
    expect(vb.takeOutput()).toContain("app loaded");
    expect(vb.eval("mtdoops.stats().boot")).toBe(2);
    expect(records(vb).map((r) => reasonName(r.record.reason))).toEqual(["shutdown"]);
  });

  it("a record carries the lost and suppressed counts of its boot", () => {
    const vb = bootedLinux();
    for (let i = 0; i < 10; i++) vb.eval('mtdoops.panic("p' + i + '")');
    vb.eval('mtdoops.oops("after the cap")');
    vb.advance(10);
    const recs = records(vb);
    expect(recs.length).toBe(9); // 8 per boot, one more for a panic
    expect((recs[8] as OpenedRecord).context["suppressed"]).toBe(0);
    expect(vb.eval("mtdoops.stats().suppressed")).toBe(2);
  });
});

describe("the mtdoops device API", () => {
  it("note() goes into the ring, not to the console; list() prints one line per record without recording it", () => {
    const vb = new VirtualBoard({
      board: linux,
      firmware: LINUX,
      epochMs: Date.UTC(2026, 10, 26, 12, 0, 0),
    });
    vb.boot();
    vb.eval('mtdoops.note("user note")');
    expect(vb.takeOutput()).not.toContain("user note");
    vb.eval('mtdoops.panic("first")');
    vb.eval('mtdoops.oops("second")');
    vb.advance(10);
    vb.input("mtdoops.list()\n");
    const out = vb.takeOutput();
    expect(out).toMatch(
      /mtdoops\.list\(\)\r\n#1 panic 2026-11-26T12:00:0\d\.000Z boot 1 \+\d+ms \d+ bytes\r\n#2 oops .*\r\n=undefined\r\n>/,
    );
    vb.eval('mtdoops.panic("third")');
    const recs = records(vb);
    expect((recs[0] as OpenedRecord).console).toContain("[note] user note\n");
    expect((recs[2] as OpenedRecord).console).not.toContain("#1 panic");
  });

  it("dump() output is not recorded, and a large dump does not overflow the input FIFO", () => {
    const vb = bootedLinux();
    for (let i = 0; i < 8; i++)
      vb.eval('print("' + "x".repeat(200) + '"); mtdoops.panic("p' + i + '")');
    vb.advance(10);
    expect(vb.retrieve().records.length).toBe(8);
    vb.advance(10);
    vb.reboot("soft");
    vb.advance(40_000);
    vb.eval('mtdoops.panic("after")');
    const recs = records(vb);
    const last = recs[recs.length - 1] as OpenedRecord;
    expect(last.context["msg"]).toBe("after");
    expect(last.console).not.toContain("MTDOOPS:");
    expect(recs.some((r) => reasonName(r.record.reason) === "errorflag")).toBe(false);
  });

  it("stats() and version", () => {
    const vb = bootedLinux();
    expect(vb.eval("mtdoops.stats()")).toMatchObject({
      state: "ready",
      boot: 1,
      nextSeq: 1,
      slots: 16,
      written: 0,
    });
    expect(vb.eval("mtdoops.version")).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("dump() prints MTDOOPS:ERROR when the log failed (no block would erase)", () => {
    const vb = new VirtualBoard({ board: puck, firmware: PUCK });
    for (let b = 0; b < vb.flash.blockCount; b++) {
      vb.flash.program(b * puck.eraseSize, Uint8Array.of(1, 2, 3, 4)); // not erased, not a record
      vb.flash.failBlock(b, { erase: true, mode: "noop" });
    }
    vb.boot();
    expect(vb.eval("mtdoops.stats().state")).toBe("failed");
    const r = vb.retrieve();
    expect(r.error).toBe("log failed");
    expect(r.records).toEqual([]);
    expect(vb.eval('mtdoops.panic("x")')).toBe(false);
  });
});
