// Fault injection in the simulator: power cuts (clean and torn, by operation count and by
// time), failing blocks, wear-out and read bit flips; all replayable from a seed.

import { describe, expect, it } from "vitest";
import { isFlashError } from "../src/core/flash.js";
import { isPowerCut, powerCutError, SimulatedNorFlash } from "../src/sim/nor-flash.js";
import type { SimulatedNorFlashOptions } from "../src/sim/nor-flash.js";
import { expectBytes, expectFlashError, filled, pattern } from "./flash-contract.js";
import { NOR_4K as W25Q } from "./helpers/log-fixture.js";

function w25q(extra: Partial<SimulatedNorFlashOptions> = {}): SimulatedNorFlash {
  return new SimulatedNorFlash({ geometry: W25Q, part: "w25q128jv", ...extra });
}

/** Runs `fn`, expects a PowerCutError, and returns it. */
function expectPowerCut(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(isPowerCut(e), "expected a PowerCutError, got " + String(e)).toBe(true);
    expect(isFlashError(e)).toBe(false);
    return e as Error;
  }
  throw new Error("expected a PowerCutError, nothing was thrown");
}

function countErased(bytes: Uint8Array, value: number): number {
  let n = 0;
  for (const v of bytes) if (v === value) n++;
  return n;
}

/** A small workload: erase block 1, then program its first four pages. */
function workload(flash: SimulatedNorFlash): void {
  flash.erase(4096);
  for (let p = 0; p < 4; p++) flash.program(4096 + p * 256, pattern(256, 100 + p));
}

describe("PowerCutError", () => {
  it("is a plain Error with code EPOWER, not a FlashError", () => {
    const e = powerCutError("x");
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe("EPOWER");
    expect(isPowerCut(e)).toBe(true);
    expect(isFlashError(e)).toBe(false);
    expect(isPowerCut(new Error("x"))).toBe(false);
    expect(isPowerCut(null)).toBe(false);
    expect(isPowerCut({ code: "EIO" })).toBe(false);
  });
});

describe("power cut by operation count", () => {
  it("clean: N operations complete, the next has no effect and throws", () => {
    const flash = w25q();
    flash.read(0, 4); // reads do not count
    flash.cutPowerAfter({ ops: 2, mode: "clean" });
    flash.program(0, filled(256, 0x11));
    flash.read(0, 4);
    flash.program(256, filled(256, 0x22));
    const clock = flash.elapsedUs;
    expectPowerCut(() => flash.program(512, filled(256, 0x33)));
    expect(flash.powered).toBe(false);
    expect(flash.elapsedUs).toBe(clock);
    expect(flash.lastPowerCut).toEqual({
      atUs: clock,
      op: "program",
      addr: 512,
      opIndex: 2,
      mode: "clean",
    });
    expectBytes(
      flash.peek(0, 768),
      new Uint8Array([...filled(256, 0x11), ...filled(256, 0x22), ...filled(256, 0xff)]),
    );
  });

  it("every read, program and erase throws until powerOn; contents persist", () => {
    const flash = w25q();
    flash.program(0, Uint8Array.of(1, 2, 3));
    flash.cutPowerAfter({ ops: 0, mode: "clean" });
    expectPowerCut(() => flash.erase(0));
    expectPowerCut(() => flash.read(0, 3));
    expectPowerCut(() => flash.program(8, Uint8Array.of(0)));
    expectPowerCut(() => flash.erase(4096));
    // even misuse: the device is off
    expectPowerCut(() => flash.erase(1));
    const ops = flash.opsCount;
    flash.powerOn();
    expect(flash.powered).toBe(true);
    expect(Array.from(flash.read(0, 3))).toEqual([1, 2, 3]);
    flash.erase(4096);
    expect(flash.opsCount).toBe(ops + 1);
    // the cut fired once; nothing is pending any more
    for (let i = 0; i < 5; i++) flash.program(4096 + i, Uint8Array.of(0));
  });

  it("counts from the call, not from construction", () => {
    const flash = w25q();
    workload(flash);
    expect(flash.opsCount).toBe(5);
    flash.cutPowerAfter({ ops: 1, mode: "clean" });
    flash.erase(0);
    expectPowerCut(() => flash.erase(8192));
    expect(flash.lastPowerCut?.opIndex).toBe(6);
    expect(flash.opsCount).toBe(7);
  });

  it("a sweep can count a workload's operations, then cut at each of them", () => {
    const counter = w25q();
    workload(counter);
    const n = counter.opsCount;
    expect(n).toBe(5);
    const base = w25q();
    base.program(4096, filled(256, 0)); // old contents the erase must remove
    for (let k = 0; k < n; k++) {
      const flash = base.clone();
      const start = flash.opsCount;
      flash.cutPowerAfter({ ops: k, mode: "clean" });
      expectPowerCut(() => workload(flash));
      expect(flash.opsCount - start).toBe(k + 1);
      // the k completed operations are there, the interrupted one is not
      const block = flash.peek(4096, 4096);
      if (k === 0) expectBytes(block.subarray(0, 256), filled(256, 0));
      for (let p = 0; p < 4; p++) {
        const page = block.subarray(p * 256, p * 256 + 256);
        if (k >= 1 && p < k - 1) expectBytes(page, pattern(256, 100 + p));
        if (k >= 1 && p >= k - 1) expectBytes(page, filled(256, 0xff));
      }
    }
    // with the cut past the end, the workload completes
    const flash = base.clone();
    flash.cutPowerAfter({ ops: n, mode: "clean" });
    workload(flash);
    expect(flash.powered).toBe(true);
  });

  it("torn program: a random subset of the bits it would clear lands", () => {
    const flash = w25q({ seed: 7 });
    flash.program(0, Uint8Array.of(0x0f, 0x0f, 0x0f, 0x0f)); // bits already 0 stay 0
    const data = pattern(256, 8);
    flash.cutPowerAfter({ ops: 0, mode: "torn" });
    expectPowerCut(() => flash.program(0, data));
    const got = flash.peek(0, 256);
    let landed = 0;
    let missed = 0;
    for (let i = 0; i < 256; i++) {
      const before = i < 4 ? 0x0f : 0xff;
      const full = before & (data[i] as number);
      const g = got[i] as number;
      // got lies between the old and the fully programmed value
      expect(g & before).toBe(g); // no bit set that was clear
      expect(g & full).toBe(full); // no bit cleared that the program keeps set
      for (let bit = 0; bit < 8; bit++) {
        const m = 1 << bit;
        if ((before & m) !== 0 && (full & m) === 0) {
          if ((g & m) === 0) landed++;
          else missed++;
        }
      }
    }
    expect(landed).toBeGreaterThan(100);
    expect(missed).toBeGreaterThan(100);
  });

  it("torn erase: the block is left with random bytes and wears; clean erase changes nothing", () => {
    const clean = w25q();
    clean.program(4096, pattern(256, 9));
    const before = clean.toImage();
    clean.cutPowerAfter({ ops: 0, mode: "clean" });
    expectPowerCut(() => clean.erase(4096));
    expectBytes(clean.toImage(), before);
    expect(clean.wear(1)).toBe(0);

    const erasedShares: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const torn = w25q({ seed });
      torn.program(4096, pattern(256, 9));
      torn.program(0, pattern(256, 10));
      torn.cutPowerAfter({ ops: 0, mode: "torn" });
      expectPowerCut(() => torn.erase(4096));
      expect(torn.wear(1)).toBe(1);
      const block = torn.peek(4096, 4096);
      erasedShares.push(countErased(block, 0xff) / 4096);
      // other blocks untouched
      expectBytes(torn.peek(0, 256), pattern(256, 10));
      expectBytes(torn.peek(8192, W25Q.size - 8192), filled(W25Q.size - 8192, 0xff));
    }
    // the erase's progress varies: some blocks are nearly erased, some nearly random
    expect(Math.min(...erasedShares)).toBeLessThan(0.3);
    expect(Math.max(...erasedShares)).toBeGreaterThan(0.7);
    expect(erasedShares.every((s) => s < 1)).toBe(true);
  });

  it("is deterministic for a seed: same seed and operations, same image", () => {
    const run = (seed: number): Uint8Array => {
      const flash = w25q({ seed });
      flash.program(4096, pattern(256, 11));
      flash.cutPowerAfter({ ops: 2, mode: "torn" });
      try {
        workload(flash);
      } catch (e) {
        if (!isPowerCut(e)) throw e;
      }
      flash.powerOn();
      flash.cutPowerAfter({ ops: 1, mode: "torn" });
      try {
        workload(flash);
      } catch (e) {
        if (!isPowerCut(e)) throw e;
      }
      return flash.toImage();
    };
    expectBytes(run(1234), run(1234));
    expect(Buffer.from(run(1234)).equals(Buffer.from(run(1235)))).toBe(false);
  });

  it("validates its arguments", () => {
    const flash = w25q();
    expect(() => flash.cutPowerAfter({ mode: "clean" })).toThrow(RangeError);
    expect(() => flash.cutPowerAfter({ ops: -1, mode: "clean" })).toThrow(RangeError);
    expect(() => flash.cutPowerAfter({ ops: 1.5, mode: "clean" })).toThrow(RangeError);
    expect(() => flash.cutPowerAfter({ atUs: NaN, mode: "clean" })).toThrow(RangeError);
  });

  it("cancelPowerCut disarms a pending cut", () => {
    const flash = w25q();
    flash.cutPowerAfter({ ops: 0, atUs: 10, mode: "torn" });
    flash.cancelPowerCut();
    workload(flash);
    flash.advance(1e9);
    expect(flash.powered).toBe(true);
  });
});

describe("power cut at a simulated time", () => {
  it("interrupts the operation running at that instant; the clock stops there", () => {
    const flash = w25q();
    flash.cutPowerAfter({ atUs: 1000, mode: "clean" });
    flash.program(0, filled(256, 0)); // 0..400 us
    flash.program(256, filled(256, 0)); // 400..800 us
    expectPowerCut(() => flash.program(512, filled(256, 0))); // 800..1200 us
    expect(flash.elapsedUs).toBe(1000);
    expect(flash.lastPowerCut).toMatchObject({ atUs: 1000, op: "program", addr: 512 });
    expectBytes(flash.peek(0, 768), new Uint8Array([...filled(512, 0), ...filled(256, 0xff)]));
  });

  it("interrupts an erase (45 ms on a W25Q) part-way, torn", () => {
    const flash = w25q({ seed: 3 });
    flash.program(0, pattern(256, 12));
    flash.cutPowerAfter({ atUs: 10_000, mode: "torn" });
    expectPowerCut(() => flash.erase(0));
    expect(flash.elapsedUs).toBe(10_000);
    const block = flash.peek(0, 4096);
    expect(countErased(block, 0xff)).toBeLessThan(4096);
  });

  it("an operation that ends exactly at the cut completes; the next one throws", () => {
    const flash = w25q();
    flash.cutPowerAfter({ atUs: 800, mode: "clean" });
    flash.program(0, filled(256, 0));
    flash.program(256, filled(256, 0));
    expect(flash.elapsedUs).toBe(800);
    expect(flash.powered).toBe(false);
    expect(flash.lastPowerCut?.op).toBe("idle");
    expectPowerCut(() => flash.program(512, filled(256, 0)));
    expectBytes(flash.peek(0, 768), new Uint8Array([...filled(512, 0), ...filled(256, 0xff)]));
  });

  it("a read running at the cut throws and returns nothing", () => {
    const flash = w25q();
    flash.cutPowerAfter({ atUs: 100, mode: "torn" });
    expectPowerCut(() => flash.read(0, 4096)); // 5 + 4096 us
    expect(flash.elapsedUs).toBe(100);
    expect(flash.lastPowerCut?.op).toBe("read");
    expectBytes(flash.toImage(), filled(W25Q.size, 0xff));
  });

  it("advance past the cut turns the power off without throwing", () => {
    const flash = w25q();
    flash.cutPowerAfter({ atUs: 5000, mode: "clean" });
    flash.advance(4999);
    expect(flash.powered).toBe(true);
    flash.advance(10);
    expect(flash.powered).toBe(false);
    expect(flash.elapsedUs).toBe(5009);
    expect(flash.lastPowerCut).toMatchObject({ atUs: 5000, op: "idle" });
    expectPowerCut(() => flash.read(0, 1));
    flash.powerOn();
    flash.read(0, 1);
  });

  it("a time already past cuts at once", () => {
    const flash = w25q();
    flash.advance(100);
    flash.cutPowerAfter({ atUs: 50, mode: "clean" });
    expect(flash.powered).toBe(false);
  });

  it("with both ops and atUs, whichever comes first cuts", () => {
    const a = w25q();
    a.cutPowerAfter({ ops: 1, atUs: 1e9, mode: "clean" });
    a.program(0, filled(256, 0));
    expectPowerCut(() => a.program(256, filled(256, 0)));
    expect(a.elapsedUs).toBe(400);
    const b = w25q();
    b.cutPowerAfter({ ops: 10, atUs: 600, mode: "clean" });
    b.program(0, filled(256, 0));
    expectPowerCut(() => b.program(256, filled(256, 0)));
    expect(b.elapsedUs).toBe(600);
  });
});

describe("failing blocks", () => {
  it("error erase: EIO, the block left random, other blocks untouched", () => {
    const flash = w25q({ seed: 5 });
    flash.program(0, pattern(256, 13));
    flash.program(8192, pattern(256, 14));
    flash.failBlock(1, { erase: true });
    flash.program(4096, filled(4, 0)); // programs still work
    expectFlashError(() => flash.erase(4096), "EIO");
    expect(countErased(flash.peek(4096, 4096), 0xff)).toBeLessThan(4096);
    expect(flash.wear(1)).toBe(1);
    expectBytes(flash.peek(0, 256), pattern(256, 13));
    expectBytes(flash.peek(8192, 256), pattern(256, 14));
    flash.healBlock(1);
    flash.erase(4096);
    expectBytes(flash.read(4096, 4096), filled(4096, 0xff));
  });

  it("error program: EIO, a random subset of the bits lands", () => {
    const flash = w25q({ seed: 6 });
    flash.failBlock(2, { program: true });
    flash.erase(8192); // erases still work
    expectFlashError(() => flash.program(8192, filled(256, 0)), "EIO");
    const got = flash.peek(8192, 256);
    const zeros = got.reduce((n, v) => n + 8 - (v.toString(2).match(/1/g)?.length ?? 0), 0);
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThan(256 * 8);
  });

  it("noop: the operation silently does nothing", () => {
    const flash = w25q();
    flash.program(4096, pattern(256, 15));
    flash.failBlock(1, { mode: "noop" }); // both erase and program
    flash.erase(4096);
    expectBytes(flash.read(4096, 256), pattern(256, 15));
    expect(flash.wear(1)).toBe(0);
    flash.program(4096 + 256, filled(256, 0));
    expectBytes(flash.read(4096 + 256, 256), filled(256, 0xff));
    expect(flash.stats.erases).toBe(1);
    expect(flash.stats.programs).toBe(2);
  });

  it("validates the block index and mode", () => {
    const flash = w25q();
    expect(() => flash.failBlock(8)).toThrow(RangeError);
    expect(() => flash.healBlock(-1)).toThrow(RangeError);
    expect(() => flash.failBlock(0, { mode: "bad" as unknown as "error" })).toThrow(RangeError);
  });
});

describe("endurance", () => {
  it("a block survives enduranceCycles erases; the next ones fail and leave it random", () => {
    const flash = w25q({ enduranceCycles: 3, seed: 9 });
    for (let i = 0; i < 3; i++) flash.erase(0);
    expect(flash.wear(0)).toBe(3);
    expectFlashError(() => flash.erase(0), "EIO");
    expect(flash.wear(0)).toBe(3);
    expect(countErased(flash.peek(0, 4096), 0xff)).toBeLessThan(4096);
    expectFlashError(() => flash.erase(0), "EIO");
    // other blocks keep working
    flash.erase(4096);
    expect(flash.wear(1)).toBe(1);
  });

  it("setWear brings a block to the edge", () => {
    const flash = w25q({ enduranceCycles: 100_000 });
    flash.setWear(3, 99_999);
    flash.erase(3 * 4096);
    expectFlashError(() => flash.erase(3 * 4096), "EIO");
  });
});

describe("read flips", () => {
  it("probability 1: every read returns exactly one flipped bit; storage is unchanged", () => {
    const flash = w25q({ seed: 10 });
    flash.program(0, pattern(256, 16));
    flash.readFlips({ probability: 1 });
    const positions = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const got = flash.read(0, 256);
      const want = pattern(256, 16);
      let flipped = 0;
      for (let j = 0; j < 256; j++) {
        const x = (got[j] as number) ^ (want[j] as number);
        for (let bit = 0; bit < 8; bit++) {
          if ((x >> bit) & 1) {
            flipped++;
            positions.add(j * 8 + bit);
          }
        }
      }
      expect(flipped).toBe(1);
    }
    expect(positions.size).toBeGreaterThan(40);
    expectBytes(flash.peek(0, 256), pattern(256, 16));
  });

  it("probability p flips about p of the reads; 0 turns flips off", () => {
    const flash = w25q({ seed: 11 });
    flash.readFlips({ probability: 0.25 });
    let flips = 0;
    for (let i = 0; i < 2000; i++) if (countErased(flash.read(0, 16), 0xff) !== 16) flips++;
    expect(flips).toBeGreaterThan(400);
    expect(flips).toBeLessThan(600);
    flash.readFlips({ probability: 0 });
    for (let i = 0; i < 100; i++) expectBytes(flash.read(0, 16), filled(16, 0xff));
    expect(() => flash.readFlips({ probability: 1.5 })).toThrow(RangeError);
  });
});
