// The part timing table (src/boards/parts.ts) and the seeded PRNG (src/sim/prng.ts).

import { describe, expect, it } from "vitest";
import { checkGeometry } from "../src/core/flash.js";
import { getPart, partNames, parts } from "../src/boards/parts.js";
import { Prng } from "../src/sim/prng.js";

describe("parts", () => {
  it("knows the parts the boards use", () => {
    expect([...partNames].sort()).toEqual(
      ["esp32", "linux-file", "nrf52832", "nrf52840", "stm32f4", "w25q128jv"].sort(),
    );
    for (const name of partNames) expect(getPart(name).name).toBe(name);
  });

  it("getPart names the known parts when it does not know one", () => {
    expect(() => getPart("at25sf")).toThrow(
      'unknown flash part "at25sf"; known parts: ' + partNames.join(", "),
    );
    expect(() => getPart("toString")).toThrow(/unknown flash part/);
  });

  it("every part: positive figures, worst >= typical, a usable geometry hint", () => {
    for (const part of Object.values(parts)) {
      expect(checkGeometry({ ...part.geometry, size: part.geometry.eraseSize * 4 })).toBe("");
      for (const n of [part.geometry.progUnit, 64, part.geometry.pageSize]) {
        expect(part.programUs(n, "typical")).toBeGreaterThan(0);
        expect(part.programUs(n, "worst")).toBeGreaterThanOrEqual(part.programUs(n, "typical"));
        expect(part.readUs(n, "typical")).toBeGreaterThan(0);
        expect(part.readUs(n, "worst")).toBeGreaterThanOrEqual(part.readUs(n, "typical"));
      }
      const e = part.geometry.eraseSize;
      expect(part.eraseUs(e, "typical")).toBeGreaterThan(0);
      expect(part.eraseUs(e, "worst")).toBeGreaterThanOrEqual(part.eraseUs(e, "typical"));
    }
  });

  it("w25q128jv: a full page costs tPP, one byte about tBP1", () => {
    const w = getPart("w25q128jv");
    expect(w.programUs(256, "typical")).toBe(400);
    expect(w.programUs(256, "worst")).toBe(3000);
    expect(w.programUs(1, "typical")).toBeGreaterThanOrEqual(30);
    expect(w.programUs(1, "typical")).toBeLessThan(35);
    expect(w.programUs(1, "worst")).toBeGreaterThanOrEqual(50);
    expect(w.eraseUs(4096, "typical")).toBe(45_000);
    expect(w.eraseUs(4096, "worst")).toBe(400_000);
    expect(w.eraseUs(32768, "typical")).toBe(120_000);
    expect(w.eraseUs(65536, "worst")).toBe(2_000_000);
    expect(w.eraseUs(8192, "typical")).toBe(90_000); // two sectors
    expect(w.eraseUs(1024, "typical")).toBe(45_000); // cannot erase less than a sector
    expect(w.readUs(4096, "typical")).toBe(5 + 4096); // 8 MHz SPI
  });

  it("nRF52: 41 us per word, 85 ms per page", () => {
    for (const name of ["nrf52832", "nrf52840"]) {
      const p = getPart(name);
      expect(p.programUs(4, "typical")).toBe(41);
      expect(p.programUs(4096, "typical")).toBe(41 * 1024);
      expect(p.eraseUs(4096, "typical")).toBe(85_000);
      expect(p.readUs(4096, "typical")).toBeLessThan(100);
    }
    expect(getPart("nrf52832").eraseUs(4096, "worst")).toBe(89_700);
  });

  it("stm32f4: word program 16 / 100 us; sector erase by size", () => {
    const s = getPart("stm32f4");
    expect(s.programUs(4, "typical")).toBe(16);
    expect(s.programUs(4, "worst")).toBe(100);
    expect(s.eraseUs(16384, "typical")).toBe(250_000);
    expect(s.eraseUs(65536, "typical")).toBe(550_000);
    expect(s.eraseUs(131072, "worst")).toBe(2_000_000);
  });

  it("esp32: ESP-IDF timeouts as the worst case", () => {
    const e = getPart("esp32");
    expect(e.programUs(256, "typical")).toBe(400);
    expect(e.programUs(256, "worst")).toBe(500_000);
    expect(e.eraseUs(4096, "worst")).toBe(600_000);
    expect(e.eraseUs(65536, "worst")).toBe(4_100_000);
  });
});

describe("Prng", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = new Prng(1);
    const b = new Prng(1);
    const c = new Prng(2);
    const sa = Array.from({ length: 10 }, () => a.nextUint32());
    expect(Array.from({ length: 10 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 10 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it("next is in [0, 1) and int(n) in [0, n), covering the range", () => {
    const r = new Prng(3);
    const seen = new Array<number>(10).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outOfRange++;
      const k = r.int(10);
      if (!(Number.isInteger(k) && k >= 0 && k < 10)) outOfRange++;
      else seen[k] = (seen[k] as number) + 1;
    }
    expect(outOfRange).toBe(0);
    for (const count of seen) expect(count).toBeGreaterThan(850);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(1.5)).toThrow(RangeError);
    expect(r.int(1)).toBe(0);
  });

  it("bytes(n) gives n bytes, deterministic, fairly balanced bits", () => {
    const x = new Prng(4).bytes(1001);
    expect(x.length).toBe(1001);
    expect(new Prng(4).bytes(1001)).toEqual(x);
    let ones = 0;
    for (const v of x) for (let b = 0; b < 8; b++) ones += (v >> b) & 1;
    expect(ones / (1001 * 8)).toBeGreaterThan(0.47);
    expect(ones / (1001 * 8)).toBeLessThan(0.53);
    expect(new Prng(4).bytes(0).length).toBe(0);
  });

  it("state can be saved and restored; clone is independent", () => {
    const r = new Prng(5);
    r.next();
    const saved = r.state;
    const c = r.clone();
    const next = [r.nextUint32(), r.nextUint32()];
    expect([c.nextUint32(), c.nextUint32()]).toEqual(next);
    r.state = saved;
    expect([r.nextUint32(), r.nextUint32()]).toEqual(next);
  });
});
