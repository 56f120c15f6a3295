// On a panic, Linux's mtdoops_inc_counter(cxt, 1) erases the next block at once when its
// first slot is used (drivers/mtd/mtdoops.c, "In case of panic, erase immediately"), and
// mtdoops_erase skips a block whose erase fails 3 times. The model does both.
import { describe, expect, it } from "vitest";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { MtdoopsModel } from "./mtdoops-model.js";

const GEOMETRY = { size: 4 * 4096, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff };

describe("mtdoops model: erase in the panic path", () => {
  it("a panic whose next slot is used erases that block inside the panic, after the write", () => {
    const flash = new SimulatedNorFlash({ geometry: GEOMETRY, part: "w25q128jv" });
    const m = new MtdoopsModel({ flash, recordSize: 1024 });
    m.attach();
    for (let i = 0; i < 15; i++) m.dump("panic", "p" + i + "\n");
    expect(flash.stats.erases).toBe(0);
    let erasesAtCommit = -1;
    const m2 = new MtdoopsModel({
      flash,
      recordSize: 1024,
      onRecordWritten: () => (erasesAtCommit = flash.stats.erases),
    });
    m2.attach(); // newest is page 14; page 15 is free: no erase at boot
    m2.runWork();
    expect(flash.stats.erases).toBe(0);
    m2.dump("panic", "wraps\n"); // writes page 15; page 0 is used: erase block 0 now
    expect(erasesAtCommit).toBe(0);
    expect(flash.stats.erases).toBe(1);
    expect(m2.pendingWork).toBe(0);
    expect(m2.nextpage).toBe(0);
    expect(m2.pageIsUsed(0)).toBe(false);
  });

  it("tries a failing block 3 times, then moves to the next block", () => {
    const flash = new SimulatedNorFlash({ geometry: GEOMETRY });
    const m = new MtdoopsModel({ flash, recordSize: 1024 });
    m.attach();
    for (let i = 0; i < 15; i++) m.dump("panic", "p" + i + "\n");
    flash.failBlock(0, { erase: true });
    m.dump("panic", "wraps\n");
    expect(m.stats.erases).toBe(4); // 3 on block 0, then block 1 erases
    expect(m.nextpage).toBe(4);
  });
});
