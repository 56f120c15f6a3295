// The mtdoops model writes as Linux's mtdoops_write / mtdoops_do_dump do
// (drivers/mtd/mtdoops.c): the whole record_size per dump, a 16-byte v2 header, the
// youngest whole lines of the log, a 0xFF tail; panics at once, oopses from the write work,
// oopses ignored without dump_oops. The images it makes decode with our Linux reader.
import { describe, expect, it } from "vitest";
import { decodeLinuxMtdoopsImage } from "../../src/host/linux-mtdoops.js";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { MTDOOPS_HEADER_SIZE, MTDOOPS_MAGIC_V2, MtdoopsModel } from "./mtdoops-model.js";

const GEOMETRY = { size: 4 * 4096, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff };

function setup(dumpOops = true): { flash: SimulatedNorFlash; m: MtdoopsModel } {
  const flash = new SimulatedNorFlash({ geometry: GEOMETRY, part: "w25q128jv" });
  const m = new MtdoopsModel({
    flash,
    recordSize: 1024,
    dumpOops,
    nowNs: () => 1_764_115_200_000_000_000n,
  });
  m.attach();
  m.runWork();
  return { flash, m };
}

describe("mtdoops model: writing a dump", () => {
  it("programs the whole record_size for a short panic: header, text, and the 0xFF tail", () => {
    const { flash, m } = setup();
    flash.resetStats();
    m.dump("panic", "Kernel panic - not syncing: boom\n");
    expect(flash.stats.programBytes).toBe(1024);
    expect(flash.stats.programs).toBe(1024 / 256); // mtd_write split at the SPI NOR page
    const slot = flash.peek(0, 1024);
    const v = new DataView(slot.buffer);
    expect(v.getUint32(0, true)).toBe(1); // first record: seq 1 at page 0
    expect(v.getUint32(4, true)).toBe(MTDOOPS_MAGIC_V2);
    expect(v.getBigInt64(8, true)).toBe(1_764_115_200_000_000_000n);
    const text = "Kernel panic - not syncing: boom\n";
    expect(new TextDecoder().decode(slot.subarray(16, 16 + text.length))).toBe(text);
    expect(slot.subarray(16 + text.length).every((b) => b === 0xff)).toBe(true);
  });

  it("keeps the youngest whole lines that fit after the header (kmsg_dump_get_buffer)", () => {
    const { flash, m } = setup();
    const lines = Array.from(
      { length: 100 },
      (_, i) => "line " + String(i).padStart(3, "0") + " of the log\n",
    );
    m.dump("panic", lines.join(""));
    const slot = flash.peek(0, 1024);
    const text = new TextDecoder().decode(
      slot.subarray(MTDOOPS_HEADER_SIZE).filter((b) => b !== 0xff),
    );
    expect(text.endsWith("line 099 of the log\n")).toBe(true);
    expect(text.startsWith("line ")).toBe(true); // a whole line first, not a cut one
    expect(text.length).toBeLessThanOrEqual(1024 - MTDOOPS_HEADER_SIZE);
    expect(text.length + 20).toBeGreaterThan(1024 - MTDOOPS_HEADER_SIZE); // as many as fit
  });

  it("writes an oops only when the write work runs, and ignores oopses with dump_oops=0", () => {
    const { flash, m } = setup();
    flash.resetStats();
    m.dump("oops", "Oops: 1\n");
    expect(flash.stats.programs).toBe(0);
    expect(m.pendingWork).toBe(1);
    m.runWork();
    expect(flash.stats.programBytes).toBe(1024);

    const quiet = setup(false);
    quiet.flash.resetStats();
    quiet.m.dump("oops", "Oops: 2\n");
    quiet.m.runWork();
    expect(quiet.flash.stats.programs).toBe(0);
    expect(quiet.m.stats.oopsesIgnored).toBe(1);
    quiet.m.dump("panic", "panic\n");
    expect(quiet.flash.stats.programBytes).toBe(1024);
  });

  it("a second oops before the work runs replaces the first in the one oops_buf", () => {
    const { flash, m } = setup();
    m.dump("oops", "first oops\n");
    m.dump("oops", "second oops\n");
    m.runWork();
    expect(m.stats.writes).toBe(1);
    expect(m.stats.oopsesOverwritten).toBe(1);
    const decoded = decodeLinuxMtdoopsImage(flash.toImage(), { recordSize: 1024 });
    expect(decoded.records.map((r) => r.text)).toEqual(["second oops\n"]);
  });

  it("makes images our Linux mtdoops reader decodes, oldest first, across a wrap", () => {
    const { flash, m } = setup();
    for (let i = 1; i <= 20; i++) {
      m.dump("oops", "crash " + i + "\n");
      m.runWork();
    }
    const decoded = decodeLinuxMtdoopsImage(flash.toImage(), { recordSize: 1024, endian: "le" });
    const texts = decoded.records.map((r) => r.text.trim());
    // 16 slots; the block after the newest is kept erased: 12 to 15 records survive.
    expect(texts.at(-1)).toBe("crash 20");
    expect(texts.length).toBeGreaterThanOrEqual(12);
    expect(decoded.records.map((r) => r.seq)).toEqual(texts.map((t) => Number(t.split(" ")[1])));
  });
});
