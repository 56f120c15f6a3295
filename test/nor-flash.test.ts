// The simulator's own features, beyond the Flash contract: options, counters and wear,
// the clock, strict mode, images and clones. Faults are in nor-flash-faults.test.ts.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SimulatedNorFlash } from "../src/sim/nor-flash.js";
import { getPart } from "../src/boards/parts.js";
import { expectBytes, expectFlashError, filled, pattern } from "./flash-contract.js";
import { NOR_4K as W25Q, NRF_4K as NRF } from "./helpers/log-fixture.js";

describe("construction", () => {
  it("starts all erased, with the default part linux-file and typical timing", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q });
    expect(flash.part.name).toBe("linux-file");
    expect(flash.timing).toBe("typical");
    expect(flash.strict).toBe(false);
    expect(flash.blockCount).toBe(8);
    expectBytes(flash.toImage(), filled(W25Q.size, 0xff));
    expect(flash.elapsedUs).toBe(0);
    expect(flash.opsCount).toBe(0);
    expect(flash.powered).toBe(true);
  });

  it("accepts a part by name or as a FlashPart", () => {
    expect(new SimulatedNorFlash({ geometry: W25Q, part: "w25q128jv" }).part.name).toBe(
      "w25q128jv",
    );
    const part = getPart("nrf52840");
    expect(new SimulatedNorFlash({ geometry: NRF, part }).part).toBe(part);
  });

  it("refuses a bad geometry, an unknown part and a bad endurance", () => {
    expect(() => new SimulatedNorFlash({ geometry: { ...W25Q, eraseSize: 3000 } })).toThrow(
      /eraseSize must be a power of two/,
    );
    expect(() => new SimulatedNorFlash({ geometry: { ...W25Q, size: 5000 } })).toThrow(RangeError);
    expect(() => new SimulatedNorFlash({ geometry: W25Q, part: "w25q64" })).toThrow(
      /unknown flash part "w25q64"; known parts: .*w25q128jv.*linux-file/,
    );
    expect(() => new SimulatedNorFlash({ geometry: W25Q, enduranceCycles: -1 })).toThrow(
      RangeError,
    );
  });

  it("takes initial contents from an image (copied)", () => {
    const image = pattern(W25Q.size, 1);
    const flash = new SimulatedNorFlash({ geometry: W25Q, image });
    image.fill(0);
    expectBytes(flash.toImage(), pattern(W25Q.size, 1));
    expect(() => new SimulatedNorFlash({ geometry: W25Q, image: new Uint8Array(100) })).toThrow(
      /image is 100 bytes/,
    );
  });

  it("the geometry it reports is a frozen copy", () => {
    const g = { ...W25Q };
    const flash = new SimulatedNorFlash({ geometry: g });
    g.size = 4096;
    expect(flash.geometry.size).toBe(W25Q.size);
    expect(Object.isFrozen(flash.geometry)).toBe(true);
  });
});

describe("program semantics", () => {
  it("non-strict: a program ANDs into programmed bytes", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q });
    flash.program(0, Uint8Array.of(0xf0, 0x0f, 0xaa));
    flash.program(0, Uint8Array.of(0x3c, 0xff, 0x55));
    expect(Array.from(flash.read(0, 3))).toEqual([0x30, 0x0f, 0x00]);
  });

  it("with erasedValue 0x00 a program ORs (bits move only away from erased)", () => {
    const flash = new SimulatedNorFlash({ geometry: { ...W25Q, erasedValue: 0 } });
    expect(flash.read(0, 2)).toEqual(Uint8Array.of(0, 0));
    flash.program(0, Uint8Array.of(0x0f, 0x01));
    flash.program(0, Uint8Array.of(0xf0, 0x02));
    expect(Array.from(flash.read(0, 2))).toEqual([0xff, 0x03]);
    flash.erase(0);
    expect(Array.from(flash.read(0, 2))).toEqual([0, 0]);
  });

  it("strict: refuses (EINVAL) a program onto any byte that is not erased", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q, strict: true });
    flash.program(16, Uint8Array.of(0xfe));
    const before = flash.stats;
    const ops = flash.opsCount;
    const clock = flash.elapsedUs;
    // even 0xFF over a programmed byte, and a range that only overlaps it
    expectFlashError(() => flash.program(16, Uint8Array.of(0xff)), "EINVAL");
    expectFlashError(() => flash.program(8, filled(16, 0)), "EINVAL");
    expect(Array.from(flash.read(8, 16))).toEqual([...filled(8, 0xff), 0xfe, ...filled(7, 0xff)]);
    expect(flash.opsCount).toBe(ops);
    expect(flash.elapsedUs).toBe(clock + flash.part.readUs(16, "typical"));
    expect(flash.stats.programs).toBe(before.programs);
    // erased neighbours are fine
    flash.program(17, Uint8Array.of(0x00));
    flash.erase(0);
    flash.program(16, Uint8Array.of(0x00));
    expect(flash.read(16, 2)).toEqual(Uint8Array.of(0x00, 0xff));
  });

  it("refuses a page-crossing program instead of wrapping like a W25Q", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q, part: "w25q128jv" });
    expectFlashError(() => flash.program(200, filled(100, 0)), "EINVAL");
    // nothing landed at the end of the page nor at its start (where a W25Q would wrap)
    expectBytes(flash.read(0, 512), filled(512, 0xff));
    flash.program(200, filled(56, 0));
    const expected = filled(57, 0);
    expected[56] = 0xff;
    expectBytes(flash.read(200, 57), expected);
  });

  it("a zero-length program is accepted and does nothing", () => {
    const flash = new SimulatedNorFlash({ geometry: NRF });
    flash.program(4, new Uint8Array(0));
    flash.program(NRF.size, new Uint8Array(0));
    expect(flash.opsCount).toBe(0);
    expect(flash.stats.programs).toBe(0);
    expectFlashError(() => flash.program(2, new Uint8Array(0)), "EINVAL");
  });
});

describe("counters and wear", () => {
  it("counts reads, programs and erases with their bytes", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q });
    flash.read(0, 100);
    flash.read(5, 0);
    flash.program(0, filled(256, 0));
    flash.program(256, filled(10, 0));
    flash.erase(4096);
    expect(flash.stats).toEqual({
      reads: 2,
      readBytes: 100,
      programs: 2,
      programBytes: 266,
      erases: 1,
      eraseBytes: 4096,
    });
    expect(flash.opsCount).toBe(3);
  });

  it("does not count refused calls", () => {
    const flash = new SimulatedNorFlash({ geometry: NRF });
    expectFlashError(() => flash.read(NRF.size, 1), "EINVAL");
    expectFlashError(() => flash.program(1, filled(4, 0)), "EINVAL");
    expectFlashError(() => flash.erase(100), "EINVAL");
    expect(flash.stats).toEqual({
      reads: 0,
      readBytes: 0,
      programs: 0,
      programBytes: 0,
      erases: 0,
      eraseBytes: 0,
    });
    expect(flash.opsCount).toBe(0);
    expect(flash.elapsedUs).toBe(0);
  });

  it("stats is a snapshot; resetStats zeroes it but not wear, clock or opsCount", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q });
    flash.erase(0);
    const s = flash.stats;
    s.erases = 99;
    expect(flash.stats.erases).toBe(1);
    const clock = flash.elapsedUs;
    flash.resetStats();
    expect(flash.stats.erases).toBe(0);
    expect(flash.wear(0)).toBe(1);
    expect(flash.elapsedUs).toBe(clock);
    expect(flash.opsCount).toBe(1);
  });

  it("tracks erase cycles per block", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q });
    flash.erase(0);
    flash.erase(0);
    flash.erase(3 * 4096);
    expect(flash.wear(0)).toBe(2);
    expect(flash.wear(1)).toBe(0);
    expect(flash.wear(3)).toBe(1);
    expect(flash.wearArray()).toEqual([2, 0, 0, 1, 0, 0, 0, 0]);
    flash.setWear(5, 1000);
    expect(flash.wear(5)).toBe(1000);
    expect(() => flash.wear(8)).toThrow(RangeError);
    expect(() => flash.wear(-1)).toThrow(RangeError);
  });
});

describe("clock", () => {
  it("a 256 B page program on w25q128jv costs 400 us typical, 3 ms worst", () => {
    const typical = new SimulatedNorFlash({ geometry: W25Q, part: "w25q128jv" });
    typical.program(0, filled(256, 0));
    expect(typical.elapsedUs).toBe(400);
    const worst = new SimulatedNorFlash({ geometry: W25Q, part: "w25q128jv", timing: "worst" });
    worst.program(0, filled(256, 0));
    expect(worst.elapsedUs).toBe(3000);
  });

  it("charges erases and reads by the part's figures", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q, part: "w25q128jv" });
    flash.erase(0);
    expect(flash.elapsedUs).toBe(45_000);
    flash.read(0, 256);
    expect(flash.elapsedUs).toBe(45_000 + 5 + 256);
    expect(flash.clockUs).toBe(flash.elapsedUs);
    const worst = new SimulatedNorFlash({ geometry: W25Q, part: "w25q128jv", timing: "worst" });
    worst.erase(0);
    expect(worst.elapsedUs).toBe(400_000);
  });

  it("nRF52840: 41 us per word, 85 ms per page erase", () => {
    const flash = new SimulatedNorFlash({ geometry: NRF, part: "nrf52840" });
    flash.program(0, filled(4, 0));
    expect(flash.elapsedUs).toBe(41);
    flash.program(8, filled(1024, 0));
    expect(flash.elapsedUs).toBe(41 * 257);
    flash.erase(0);
    expect(flash.elapsedUs).toBe(41 * 257 + 85_000);
  });

  it("STM32F4: erase time follows the sector size", () => {
    for (const [eraseSize, typ, worst] of [
      [16384, 250_000, 500_000],
      [65536, 550_000, 1_100_000],
      [131072, 1_000_000, 2_000_000],
    ] as const) {
      const geometry = {
        size: eraseSize,
        eraseSize,
        pageSize: eraseSize,
        progUnit: 4,
        erasedValue: 0xff,
      };
      const a = new SimulatedNorFlash({ geometry, part: "stm32f4" });
      a.erase(0);
      expect(a.elapsedUs).toBe(typ);
      const b = new SimulatedNorFlash({ geometry, part: "stm32f4", timing: "worst" });
      b.erase(0);
      expect(b.elapsedUs).toBe(worst);
    }
  });

  it("advance moves the clock; it refuses negative or non-finite steps", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q });
    flash.advance(1234.5);
    expect(flash.elapsedUs).toBe(1234.5);
    expect(() => flash.advance(-1)).toThrow(RangeError);
    expect(() => flash.advance(Infinity)).toThrow(RangeError);
    expect(() => flash.advance(NaN)).toThrow(RangeError);
  });
});

describe("images", () => {
  it("toImage is a copy; fromImage restores it", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q, part: "w25q128jv" });
    flash.program(4096 + 256, pattern(256, 2));
    const image = flash.toImage();
    image[4096 + 256] = 0;
    expect(flash.read(4096 + 256, 1)[0]).toBe(pattern(256, 2)[0]);
    const copy = SimulatedNorFlash.fromImage(flash.toImage(), { geometry: W25Q, strict: true });
    expectBytes(copy.toImage(), flash.toImage());
    expect(copy.strict).toBe(true);
    expect(copy.elapsedUs).toBe(0);
  });

  it("peek reads out of band: no counters, no time, works while the power is off", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q });
    flash.program(0, Uint8Array.of(1, 2, 3));
    const clock = flash.elapsedUs;
    expect(Array.from(flash.peek(0, 3))).toEqual([1, 2, 3]);
    expect(flash.elapsedUs).toBe(clock);
    expect(flash.stats.reads).toBe(0);
    flash.cutPowerAfter({ ops: 0, mode: "clean" });
    expect(() => flash.erase(0)).toThrow();
    expect(Array.from(flash.peek(0, 3))).toEqual([1, 2, 3]);
    expect(() => flash.peek(W25Q.size - 1, 2)).toThrow(RangeError);
  });

  it("saveImage / loadImage round-trip through a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "mtdoops-nor-"));
    try {
      const path = join(dir, "flash.img");
      const flash = new SimulatedNorFlash({ geometry: NRF, part: "nrf52840" });
      flash.program(4096, pattern(4096, 3));
      flash.program(0, pattern(64, 4));
      flash.saveImage(path);
      const loaded = SimulatedNorFlash.loadImage(path, { geometry: NRF, part: "nrf52840" });
      expectBytes(loaded.toImage(), flash.toImage());
      expect(loaded.read(0, 64)).toEqual(pattern(64, 4));
      // the loaded flash works and is independent of the file
      loaded.erase(4096);
      const again = SimulatedNorFlash.loadImage(path, { geometry: NRF });
      expectBytes(again.read(4096, 4096), pattern(4096, 3));
      // a file of the wrong size is refused
      writeFileSync(path, new Uint8Array(1000));
      expect(() => SimulatedNorFlash.loadImage(path, { geometry: NRF })).toThrow(RangeError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("clone", () => {
  it("copies contents, wear, stats, clock and opsCount", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q, part: "w25q128jv" });
    flash.erase(4096);
    flash.program(4096, pattern(256, 5));
    flash.read(0, 10);
    const c = flash.clone();
    expectBytes(c.toImage(), flash.toImage());
    expect(c.wearArray()).toEqual(flash.wearArray());
    expect(c.stats).toEqual(flash.stats);
    expect(c.elapsedUs).toBe(flash.elapsedUs);
    expect(c.opsCount).toBe(flash.opsCount);
    expect(c.part).toBe(flash.part);
    expect(c.geometry).toEqual(flash.geometry);
  });

  it("parent and clone are independent afterwards, both ways", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q, part: "w25q128jv" });
    flash.program(0, pattern(256, 6));
    const c = flash.clone();
    c.program(256, filled(256, 0));
    c.erase(4096);
    flash.program(512, filled(256, 0x11));
    flash.erase(0);
    expectBytes(c.read(0, 256), pattern(256, 6));
    expectBytes(c.read(256, 256), filled(256, 0));
    expectBytes(c.read(512, 256), filled(256, 0xff));
    expectBytes(flash.read(0, 1024), filled(1024, 0xff));
    expect(c.wear(0)).toBe(0);
    expect(c.wear(1)).toBe(1);
    expect(flash.wear(0)).toBe(1);
    expect(flash.wear(1)).toBe(0);
    expect(c.elapsedUs).not.toBe(flash.elapsedUs);
    const g = c.clone();
    g.program(1024, filled(4, 0));
    expectBytes(c.read(1024, 4), filled(4, 0xff));
  });

  it("copies the PRNG state and the faults, which then diverge independently", () => {
    const flash = new SimulatedNorFlash({ geometry: W25Q, seed: 42 });
    flash.failBlock(2, { erase: true });
    flash.readFlips({ probability: 0.5 });
    flash.read(0, 8); // moves the PRNG
    const c = flash.clone();
    // the same operations give the same flips on both
    const a = [...Array(20).keys()].map(() => Array.from(flash.read(0, 8)).join());
    const b = [...Array(20).keys()].map(() => Array.from(c.read(0, 8)).join());
    expect(b).toEqual(a);
    // the failure was copied; healing the clone leaves the parent failing
    c.healBlock(2);
    c.erase(2 * 4096);
    expectFlashError(() => flash.erase(2 * 4096), "EIO");
  });
});
