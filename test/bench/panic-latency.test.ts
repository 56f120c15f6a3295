// The panic benchmark's ratios: ours near 1 on a real part, and the mtdoops model's equal to
// what its programs must cost, worked out by hand for a part with no program setup time.
import { describe, expect, it } from "vitest";
import { loadBoard } from "../../src/boards/load.js";
import { measureMtdoopsPanic, measureOurPanic } from "./panic-latency.js";

describe("panic latency", () => {
  const puck = loadBoard("puckjs"); // nRF52832: 41 us per 4-byte word, no setup, one 4 KB page

  it("ours programs about the record's bytes once: ratio within 5% of 1", () => {
    for (const scenario of ["full", "short"] as const) {
      const f = measureOurPanic(puck, scenario, 24);
      expect(f.panics).toBe(24);
      expect(f.ratio).toBeGreaterThan(0.95);
      expect(f.maxRatio).toBeLessThanOrEqual(1.05);
      // the record's bytes, less the 12 of freed word and padding a panic leaves erased
      expect(f.recordBytes - f.programBytes).toBe(12);
    }
  });

  it("mtdoops's ratio is record_size over its record's bytes on a part without setup time", () => {
    const f = measureMtdoopsPanic(puck, "short", 24);
    expect(f.programBytes).toBe(puck.recordSize);
    expect(f.ratio).toBeCloseTo(puck.recordSize / f.recordBytes, 9);
    expect(f.ratio).toBeGreaterThan(4);
    // Once the ring wraps, a panic erases the next block inside the handler (85 ms a page).
    expect(f.handlerRatio).toBeGreaterThan(f.ratio);
  });
});
