// Partition safety at boot (firmware/mount.ts partitionConflict): a raw internal-flash
// partition that overlaps Storage, the firmware image or a reserved area is refused with
// one clear line, and nothing is started. Also the SPI NOR backend end to end.

import { describe, expect, it } from "vitest";
import { loadBoard } from "../src/boards/load.js";
import type { BoardDefinition } from "../src/boards/schema.js";
import { reasonName } from "../src/core/record.js";
import { openRecord, VirtualBoard } from "../src/sim/virtual-board.js";
import { buildFirmwareBundle, SPINOR_BOARD } from "./helpers/firmware.js";

const puck = loadBoard("puckjs");
const wifi = loadBoard("espruinowifi");

/** Boots `board`'s firmware on a virtual `chip` board (whose reserved areas make process.memory()). */
async function bootWith(
  board: BoardDefinition,
  firmwareEnd?: number,
  chip: BoardDefinition = board,
): Promise<{ vb: VirtualBoard; out: string }> {
  const vb = new VirtualBoard({
    board: chip,
    firmware: await buildFirmwareBundle(board),
    ...(firmwareEnd !== undefined ? { firmwareEnd } : {}),
  });
  vb.boot();
  return { vb, out: vb.takeOutput() };
}

describe("partition safety", () => {
  it("starts on the boards' own partitions", async () => {
    for (const b of [puck, wifi]) {
      const { vb, out } = await bootWith(b);
      expect(out).not.toContain("not started");
      expect(vb.eval("typeof mtdoops")).toBe("object");
    }
  });

  it("refuses a partition that overlaps Storage (as the firmware reports it: process.memory, process.env.STORAGE)", async () => {
    const bad: BoardDefinition = { ...puck, start: 0x6b000 };
    delete bad.reserved; // so that only what the firmware reports at run time can refuse it
    const { vb, out } = await bootWith(bad, undefined, puck);
    expect(out).toContain(
      "mtdoops: partition 0x6b000-0x6e000 overlaps Storage (0x6c000-0x76000); not started\r\n",
    );
    expect(vb.eval("typeof mtdoops")).toBe("undefined");
    expect(vb.eval("E.getConsole()")).toBe("Bluetooth"); // console untouched
    expect(vb.flash.stats.programs + vb.flash.stats.erases).toBe(0);
  });

  it("refuses a partition the firmware image has grown into", async () => {
    const { vb, out } = await bootWith(puck, 0x6a000);
    expect(out).toContain(
      "mtdoops: partition 0x69000-0x6c000 overlaps the firmware (0x0-0x6a000); not started",
    );
    expect(vb.eval("typeof mtdoops")).toBe("undefined");
  });

  it("refuses a partition over an area the board file reserves", async () => {
    const bad: BoardDefinition = { ...puck, start: 0x76000 };
    const { out } = await bootWith(bad);
    expect(out).toContain(
      "mtdoops: partition 0x76000-0x79000 overlaps FS (bonding) (0x76000-0x78000); not started",
    );
  });

  it("on STM32 the firmware starts after Storage: a partition below it is fine, one inside it is not", async () => {
    expect((await bootWith(wifi, 0x08060000)).out).not.toContain("not started");
    const bad: BoardDefinition = {
      ...wifi,
      reserved: (wifi.reserved ?? [])
        .filter((r) => r.name !== "firmware")
        .concat([{ name: "firmware", start: 0x08008000, end: 0x08080000 }]),
    };
    expect((await bootWith(bad, 0x08060000)).out).toContain(
      "overlaps firmware (0x8008000-0x8080000); not started",
    );
  });
});

describe("SPI NOR backend, end to end", () => {
  const board = SPINOR_BOARD;

  it("records, survives a power cut, reads back", async () => {
    const { vb, out } = await bootWith(board);
    expect(out).not.toContain("not started");
    vb.eval('setTimeout(function(){ throw new Error("spi boom"); }, 5)');
    vb.advance(50);
    vb.eval('mtdoops.panic("spi panic")');
    vb.reboot("power-cut");
    const recs = vb.retrieve().records.map((r) => openRecord(r.raw, board.recordSize));
    expect(recs.map((r) => [reasonName(r.record.reason), r.context["msg"]])).toEqual([
      ["oops", "spi boom"],
      ["panic", "spi panic"],
    ]);
  });

  it("a chip that stops answering during the erase-ahead job: no uncaught error, and the log goes on once it answers", async () => {
    const { vb } = await bootWith(board);
    const chip = vb.w25q;
    if (!chip) throw new Error("no SPI chip");
    vb.takeOutput();
    // The fourth panic fills the first 4 KB block: its erase-ahead job runs from a timer,
    // and the chip is silent by then.
    expect(vb.eval('[1,2,3,4].map(function(i){ return mtdoops.panic("p" + i); }).join()')).toBe(
      "true,true,true,true",
    );
    chip.silent = true;
    vb.advance(2000);
    expect(vb.takeOutput()).not.toContain("Uncaught");
    chip.silent = false;
    vb.eval('mtdoops.oops("after")');
    vb.advance(2000);
    const recs = vb.retrieve().records.map((r) => openRecord(r.raw, board.recordSize));
    expect(recs.map((r) => r.context["msg"]).slice(0, 4)).toEqual(["p1", "p2", "p3", "p4"]);
    expect(recs.map((r) => r.context["msg"])).toContain("after");
  });
});
