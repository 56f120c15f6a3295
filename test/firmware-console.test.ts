// Console capture (firmware/console.ts) on the virtual board: what the app prints is
// recorded and reaches the user at once, whole and in order; the console is never moved.

import { describe, expect, it } from "vitest";
import { loadBoard } from "../src/boards/load.js";
import { openRecord, VirtualBoard } from "../src/sim/virtual-board.js";
import { buildFirmwareBundle } from "./helpers/firmware.js";
import type { OpenedRecord } from "../src/sim/virtual-board.js";

const puck = loadBoard("puckjs");
const linux = loadBoard("linux");
const PUCK = await buildFirmwareBundle(puck);
const LINUX = await buildFirmwareBundle(linux);

function lastRecord(vb: VirtualBoard): OpenedRecord {
  const recs = vb.retrieve().records.map((x) => openRecord(x.raw, vb.board.recordSize));
  const r = recs[recs.length - 1];
  if (!r) throw new Error("no record");
  return r;
}

describe("console capture", () => {
  it("records what the app prints (not the REPL's echo), without escapes or \\r; the user sees it all", () => {
    const vb = new VirtualBoard({ board: linux, firmware: LINUX });
    vb.boot();
    vb.takeOutput();
    vb.input("1+2\n");
    vb.input('print("\\x1b[31mred\\x1b[0m text")\n');
    vb.eval('setTimeout(function(){ console.log("from a timer", 42, {a:1}); }, 10)');
    vb.advance(20);
    const seen = vb.takeOutput();
    expect(seen).toContain("1+2\r\n=3\r\n>");
    expect(seen).toContain("\x1b[31mred\x1b[0m text\r\n");
    expect(seen).toContain("from a timer 42");
    vb.eval('mtdoops.panic("look")');
    const c = lastRecord(vb).console;
    expect(c).toContain('red text\nfrom a timer 42 {"a":1}\n');
    expect(c).not.toContain("1+2");
    expect(c.includes("\r") || c.includes("\x1b")).toBe(false);
  });

  it("leaves the console where it is: input reaches the REPL, and a new connection is not fought over", () => {
    const vb = new VirtualBoard({ board: puck, firmware: PUCK });
    vb.boot();
    const home = vb.eval("E.getConsole()");
    expect(home).not.toMatch(/Loopback/);
    vb.takeOutput();
    vb.input("var typed = 40 + 2\n");
    expect(vb.eval("typed")).toBe(42);
    vb.bleDisconnect();
    vb.bleConnect();
    vb.advance(6000);
    expect(vb.eval("E.getConsole()")).toBe("Bluetooth");
    vb.takeOutput();
    vb.input('print("after reconnect")\n');
    expect(vb.takeOutput()).toContain("after reconnect");
    vb.eval('mtdoops.panic("x")');
    expect(lastRecord(vb).console).toContain("after reconnect\n");
  });

  it("a synchronous burst reaches the user whole and in order, and the ring keeps its newest lines", () => {
    const vb = new VirtualBoard({ board: linux, firmware: LINUX });
    vb.boot();
    vb.advance(31_000);
    vb.takeOutput();
    vb.eval('for (var i = 0; i < 500; i++) print("line " + i + " ' + "-".repeat(60) + '")');
    vb.advance(100);
    const seen = vb.takeOutput();
    for (const i of [0, 1, 250, 498, 499]) expect(seen).toContain("line " + i + " -");
    expect(seen.indexOf("line 498 ")).toBeLessThan(seen.indexOf("line 499 "));
    vb.eval('mtdoops.panic("after the burst")');
    const r = lastRecord(vb);
    expect(r.console).toMatch(/line 499 -+\n$/);
    expect(r.record.flags & 2).toBe(2); // TRUNCATED: older lines did not fit
  });

  it("mtdoops.list() and what follows on the same line both print, unrecorded", () => {
    const vb = new VirtualBoard({ board: linux, firmware: LINUX });
    vb.boot();
    vb.eval('mtdoops.panic("one")');
    vb.takeOutput();
    vb.input('mtdoops.list();print("x")\n');
    const seen = vb.takeOutput();
    expect(seen).toMatch(/#\d+ panic .*\r\nx\r\n=undefined\r\n/);
    for (const code of [0, 14, 15]) expect(seen.includes(String.fromCharCode(code))).toBe(false);
    vb.eval('mtdoops.panic("two")');
    expect(lastRecord(vb).console).not.toContain(" panic ");
  });

  it("after reset() with the library gone, print is the interpreter's own again", () => {
    const vb = new VirtualBoard({ board: linux, firmware: LINUX });
    vb.boot();
    vb.storage.erase(".boot0"); // so that the library does not come back
    vb.input("reset()\n");
    vb.advance(10);
    vb.takeOutput();
    vb.input('print("still reachable")\n');
    expect(vb.takeOutput()).toContain("still reachable\r\n");
    expect(vb.eval("typeof mtdoops")).toBe("undefined");
  });
});
