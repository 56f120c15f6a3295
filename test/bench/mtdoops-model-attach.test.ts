// The mtdoops model attaches as Linux's find_next_position / mtdoops_inc_counter do
// (drivers/mtd/mtdoops.c): one header read per slot at every attach, the newest seq by the
// kernel's wrap rule, and, once the ring is full, an erase of the block after the newest
// record at every boot, crash or no crash.
import { describe, expect, it } from "vitest";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { decodeLinuxMtdoopsImage } from "../../src/host/linux-mtdoops.js";
import { MTDOOPS_HEADER_SIZE, MTDOOPS_MAGIC_V2, MtdoopsModel } from "./mtdoops-model.js";

const GEOMETRY = { size: 4 * 4096, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff };

function boot(flash: SimulatedNorFlash, recordSize = 1024): MtdoopsModel {
  const m = new MtdoopsModel({ flash, recordSize });
  m.attach();
  m.runWork();
  return m;
}

function recordCount(flash: SimulatedNorFlash): number {
  return decodeLinuxMtdoopsImage(flash.toImage(), { recordSize: 1024, endian: "le" }).records
    .length;
}

describe("mtdoops model: attach", () => {
  it("reads every slot's header, empty or full", () => {
    for (const recordSize of [256, 1024, 4096]) {
      const flash = new SimulatedNorFlash({ geometry: GEOMETRY });
      const m = boot(flash, recordSize);
      const slots = GEOMETRY.size / recordSize;
      expect(m.stats.headerReads).toBe(slots);
      for (let i = 0; i < slots * 2; i++) {
        m.dump("oops", "x" + i + "\n");
        m.runWork();
      }
      flash.resetStats();
      const again = boot(flash, recordSize);
      expect(again.stats.headerReads).toBe(slots);
      expect(flash.stats.reads).toBe(slots);
      expect(flash.stats.readBytes).toBe(slots * MTDOOPS_HEADER_SIZE);
    }
  });

  it("starts an empty partition at page 0, seq 1, erasing nothing", () => {
    const flash = new SimulatedNorFlash({ geometry: GEOMETRY });
    const m = boot(flash);
    expect(m.nextpage).toBe(0);
    expect(m.nextcount).toBe(1);
    expect(flash.stats.erases).toBe(0);
  });

  it("erases at attach only when the slot after the newest is used: a reset before the erase work ran", () => {
    const flash = new SimulatedNorFlash({ geometry: GEOMETRY });
    const m = boot(flash);
    for (let i = 0; i < 16; i++) {
      m.dump("oops", "crash " + i + "\n");
      m.runWork();
    }
    // The 16th write's inc_counter found page 0 used: the erase work erased block 0.
    expect(flash.stats.erases).toBe(1);
    expect(recordCount(flash)).toBe(12);
    // A quiet boot finds page 0 (after the newest, page 15) blank: nothing to erase.
    boot(flash);
    expect(flash.stats.erases).toBe(1);
    // Fill block 0; the reset comes after the last write, before the erase work it scheduled.
    const b = boot(flash);
    for (let i = 0; i < 4; i++) {
      b.dump("oops", "again " + i + "\n");
      if (i < 3) b.runWork();
      else b.runOneWork();
    }
    expect(b.pendingWork).toBe(1);
    expect(flash.stats.erases).toBe(1);
    b.reboot();
    const before = recordCount(flash);
    // The next attach, with no crash, erases block 1 and its 4 records.
    const c = boot(flash);
    expect(flash.stats.erases).toBe(2);
    expect(recordCount(flash)).toBe(before - 4);
    expect(c.nextpage).toBe(4);
  });

  it("picks the newest seq across the 32-bit wrap with the kernel's quarter-space rule", () => {
    const flash = new SimulatedNorFlash({ geometry: GEOMETRY });
    const seqs = [0xfffffffd, 0xfffffffe, 0, 1, 2]; // the kernel skips 0xffffffff
    seqs.forEach((seq, page) => {
      const hdr = new Uint8Array(16).fill(0xff);
      const v = new DataView(hdr.buffer);
      v.setUint32(0, seq, true);
      v.setUint32(4, MTDOOPS_MAGIC_V2, true);
      flash.program(page * 1024, hdr);
    });
    const m = boot(flash);
    expect(m.nextpage).toBe(5);
    expect(m.nextcount).toBe(3);
  });

  it("refuses what mtdoops_notify_add refuses", () => {
    const one = new SimulatedNorFlash({ geometry: { ...GEOMETRY, size: 4096 } });
    expect(() => new MtdoopsModel({ flash: one, recordSize: 1024 })).toThrow(/not big enough/);
    const small = new SimulatedNorFlash({
      geometry: { ...GEOMETRY, eraseSize: 1024, pageSize: 256 },
    });
    expect(() => new MtdoopsModel({ flash: small, recordSize: 4096 })).toThrow(/too small/);
  });
});
