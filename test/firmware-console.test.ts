// Console capture (firmware/console.ts) on the virtual board: what is recorded, what is
// forwarded, following the console when it moves, giving it back on reset().

import { describe, expect, it } from "vitest";
import { loadBoard } from "../src/boards/load.js";
import { reasonName } from "../src/core/record.js";
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
  it("records what the REPL and the app print, without prompts, escapes or \\r; the user sees it all", () => {
    const vb = new VirtualBoard({ board: linux, firmware: LINUX });
    vb.boot();
    vb.takeOutput();
    vb.input("1+2\n");
    vb.input('print("\\x1b[31mred\\x1b[0m text")\n');
    vb.eval('setTimeout(function(){ console.log("from a timer"); }, 10)');
    vb.advance(20);
    const seen = vb.takeOutput();
    expect(seen).toContain("1+2\r\n=3\r\n>");
    expect(seen).toContain("\x1b[31mred\x1b[0m text\r\n");
    expect(seen).toContain("\r\x1b[Jfrom a timer\r\n>");
    vb.eval('mtdoops.panic("look")');
    const c = lastRecord(vb).console;
    expect(c).toContain("1+2\n=3\nprint(");
    expect(c).toContain("red text\n=undefined\nfrom a timer\n");
    expect(c.includes("\r") || c.includes("\x1b")).toBe(false);
    expect(c).not.toMatch(/^>/m);
  });

  it("input typed on the real console reaches the REPL through the loopback", () => {
    const vb = new VirtualBoard({ board: linux, firmware: LINUX });
    vb.boot();
    expect(vb.eval("E.getConsole()")).toBe("LoopbackA");
    vb.takeOutput();
    vb.input("var typed = 40 + 2\n");
    expect(vb.eval("typed")).toBe(42);
    expect(vb.takeOutput()).toContain("var typed = 40 + 2\r\n=undefined\r\n>");
  });

  it("takes the console back when it moves (Bluetooth connect on nRF52)", () => {
    const vb = new VirtualBoard({ board: puck, firmware: PUCK });
    vb.boot();
    expect(vb.eval("E.getConsole()")).toBe("LoopbackA");
    vb.bleDisconnect();
    vb.bleConnect(); // a non-forced console moves to Bluetooth
    expect(vb.eval("E.getConsole()")).toBe("Bluetooth");
    vb.advance(100);
    expect(vb.eval("E.getConsole()")).toBe("LoopbackA");
    vb.takeOutput();
    vb.input('print("after reconnect")\n');
    expect(vb.takeOutput()).toContain("after reconnect");
    vb.eval('mtdoops.panic("x")');
    expect(lastRecord(vb).console).toContain("after reconnect\n");
  });

  it("takes the console back within 5 s on boards without NRF (USB plugged in, a Telnet client)", () => {
    const vb = new VirtualBoard({ board: linux, firmware: LINUX });
    vb.boot();
    vb.eval('E.setConsole("USB")');
    expect(vb.eval("E.getConsole()")).toBe("USB");
    vb.advance(5100);
    expect(vb.eval("E.getConsole()")).toBe("LoopbackA");
  });

  it("gives the console back to the real device before reset() clears the JS state", () => {
    const vb = new VirtualBoard({ board: linux, firmware: LINUX });
    vb.boot();
    vb.storage.erase(".boot0"); // so that the library does not come back
    vb.input("reset()\n");
    vb.advance(10);
    expect(vb.eval("E.getConsole()")).toBe("USB");
    vb.takeOutput();
    vb.input('print("still reachable")\n');
    expect(vb.takeOutput()).toContain("still reachable\r\n");
  });

  it("a large synchronous print through the loopback overflows the input FIFO: FIFO_FULL is recorded", () => {
    // Espruino's loopback does not block: what does not fit the 1 KB IO buffer is dropped.
    const vb = new VirtualBoard({ board: linux, firmware: LINUX });
    vb.boot();
    vb.advance(31_000);
    vb.takeOutput();
    vb.eval('for (var i = 0; i < 40; i++) print("line " + i + " ' + "-".repeat(60) + '")');
    vb.advance(2000);
    const seen = vb.takeOutput();
    expect(seen).toContain("line 1 ");
    expect(seen).not.toContain("line 39 "); // lost, for the user too
    const r = lastRecord(vb);
    expect(reasonName(r.record.reason)).toBe("errorflag");
    expect(r.context["flags"]).toEqual(["FIFO_FULL"]);
  });
});
