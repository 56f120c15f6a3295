import { describe, expect, it } from "vitest";
import { CrashLog } from "../src/core/log.js";
import type { LogOptions } from "../src/core/log.js";
import { ConsoleRing } from "../src/core/ring.js";
import { SimulatedNorFlash } from "../src/sim/nor-flash.js";
import { VirtualScheduler } from "../src/sim/virtual-scheduler.js";
import type { FlashGeometry } from "../src/core/flash.js";

function make(
  geometry: FlashGeometry,
  recordSize: number,
  extra: Partial<LogOptions> = {},
): () => CrashLog {
  const sched = new VirtualScheduler();
  // A flash object that only carries a geometry: construction must refuse before any I/O.
  const flash = { geometry, read: () => new Uint8Array(0), program: () => {}, erase: () => {} };
  return () =>
    new CrashLog({
      flash,
      recordSize,
      scheduler: sched,
      clock: sched,
      ring: new ConsoleRing(64),
      ...extra,
    } as LogOptions);
}

const G: FlashGeometry = {
  size: 4 * 4096,
  eraseSize: 4096,
  progUnit: 4,
  pageSize: 256,
  erasedValue: 0xff,
};

describe("CrashLog configuration (mtdoops_init's checks, each naming its parameter)", () => {
  it("accepts a valid configuration", () => {
    const flash = new SimulatedNorFlash({ geometry: G });
    const sched = new VirtualScheduler();
    const log = new CrashLog({
      flash,
      recordSize: 1024,
      scheduler: sched,
      clock: sched,
      ring: new ConsoleRing(64),
    });
    expect([log.slots, log.slotsPerBlock, log.blocks]).toEqual([16, 4, 4]);
  });

  it.each([
    ["fewer than 2 erase blocks", { ...G, size: 4096 }, 1024, /at least 2 erase blocks/],
    [
      "recordSize not a power of two",
      G,
      1000,
      /recordSize must be a power of two from 64 to 4096.*got 1000/,
    ],
    ["recordSize above the erase size", G, 8192, /recordSize .* got 8192/],
    ["recordSize below 64", G, 32, /recordSize .* got 32/],
    [
      "eraseSize not a power of two",
      { ...G, eraseSize: 3000, size: 6000 },
      1024,
      /eraseSize must be a power of two/,
    ],
    ["progUnit 3", { ...G, progUnit: 3 }, 1024, /progUnit must be 1, 2, 4 or 8/],
    [
      "size not a multiple of eraseSize",
      { ...G, size: 10000 },
      1024,
      /size must be a positive multiple of eraseSize/,
    ],
    ["pageSize over eraseSize", { ...G, pageSize: 8192 }, 1024, /pageSize must be/],
  ])("refuses %s", (_name, geometry, rs, message) => {
    expect(make(geometry, rs)).toThrow(message);
    try {
      make(geometry, rs)();
    } catch (e) {
      expect((e as { code?: string }).code).toBe("ECONFIG");
    }
  });

  it.each([
    ["maxReason", { maxReason: 6 }, /maxReason must be a whole number from 1 to 5, got 6/],
    ["eraseTries", { eraseTries: 0 }, /eraseTries must be a whole number from 1 to 10, got 0/],
    ["maxRecordsPerBoot", { maxRecordsPerBoot: 1.5 }, /maxRecordsPerBoot/],
    ["loopThreshold", { loopThreshold: -1 }, /loopThreshold/],
  ])("refuses a bad %s", (_name, extra, message) => {
    expect(make(G, 1024, extra as Partial<LogOptions>)).toThrow(message);
  });
});
