// The wear benchmark: erases spread evenly and at the geometry's minimum for both loggers
// with one record at a time; in a crash loop the mtdoops model erases a block every
// slots-per-block boots (360 boots an hour) and ours, once the guard sees the loop, none.
import { describe, expect, it } from "vitest";
import { loadBoard } from "../../src/boards/load.js";
import { measureCrashLoop, measureWear } from "./wear.js";

describe("wear", () => {
  const puck = loadBoard("puckjs");

  it("spreads erases within one of each other, at most one erase per block of records", () => {
    const w = measureWear(puck, 1000);
    expect(w.wearSpread).toBeLessThanOrEqual(1);
    expect(w.erasesPerRecordRatio).toBeLessThanOrEqual(1);
    expect(w.erasesPerRecordRatio).toBeGreaterThan(0.95);
    expect(w.mtdoopsErasesPerRecordRatio).toBeGreaterThan(0.95);
  });

  it("crash loop: mtdoops 360 / 4 = 90 erases an hour on 4-slot blocks, ours none", () => {
    const c = measureCrashLoop(puck, 2);
    expect(c.mtdoopsErasesPerHour).toBe(90);
    expect(c.erasesPerHour).toBe(0);
    expect(c.enduranceYearsIsLowerBound).toBe(true);
    // 3 blocks share 90 erases an hour: 30 each; 10,000 cycles last 333 hours.
    expect(c.mtdoopsEnduranceYears).toBeCloseTo(10_000 / 30 / 8766, 6);
    expect(c.ratedCycles).toBe(10_000);
  });
});
