import { describe, expect, it } from "vitest";
import { Reason } from "../src/core/record.js";
import { NRF_4K, NOR_4K, liveSeqs } from "./helpers/log-fixture.js";
import { bootBoard, newFlash } from "./helpers/model.js";

const OPTS = { loopThreshold: 0, maxRecordsPerBoot: 1000 };

/** A stand-in `ratio`:1 "compressor" (a prefix of its input) that records each input's length. */
function recordingCompressor(ratio: number): {
  calls: number[];
  compress: (d: Uint8Array) => Uint8Array;
} {
  const calls: number[] = [];
  return {
    calls,
    compress: (d) => {
      calls.push(d.length);
      return d.subarray(0, Math.ceil(d.length / ratio));
    },
  };
}

describe("erase-ahead", () => {
  it("erases the next block in a job after the write that reaches it, not in the write", () => {
    const flash = newFlash(NRF_4K); // 4 blocks, 4 slots each
    const b = bootBoard(flash, 1024, OPTS);
    // Fill block 0 and wrap once so that block 1 holds old records when we reach it again.
    for (let i = 0; i < 16; i++) {
      b.log.dump(Reason.OOPS, "{}");
      b.sched.runAll();
    }
    // Slots 12..15 written, block 0 erased ahead: the write point is slot 0.
    expect(b.log.nextSlot).toBe(0);
    for (let i = 0; i < 3; i++) b.log.panic("{}");
    const erasesBefore = flash.stats.erases;
    expect(b.log.panic("{}")).toBe(true); // slot 3, the last of block 0
    expect(flash.stats.erases).toBe(erasesBefore); // the panic itself erased nothing
    expect(b.sched.pending).toBe(1);
    b.sched.runAll();
    expect(flash.stats.erases).toBe(erasesBefore + 1); // block 1, in the job
    expect(b.log.busy).toBe(false);
  });

  it("a second panic before the erase job ran is counted lost, never erases", () => {
    const flash = newFlash(NRF_4K);
    const b = bootBoard(flash, 1024, OPTS);
    for (let i = 0; i < 16; i++) {
      b.log.dump(Reason.OOPS, "{}");
      b.sched.runAll();
    }
    for (let i = 0; i < 4; i++) b.log.panic("{}"); // reaches block 1: erase pending
    const erases = flash.stats.erases;
    expect(b.log.panic("{}")).toBe(false);
    expect(flash.stats.erases).toBe(erases);
    expect(b.log.stats.lost).toBe(1);
  });

  it("a mount after a cut between a write and its erase-ahead finishes the erase", () => {
    const flash = newFlash(NRF_4K);
    let b = bootBoard(flash, 1024, OPTS);
    for (let i = 0; i < 20; i++) {
      b.log.dump(Reason.OOPS, "{}");
      b.sched.runAll();
    }
    for (let i = 0; i < 4; i++) b.log.panic("{}"); // erase of the next block pending; "reboot"
    b = bootBoard(flash, 1024, OPTS);
    expect(b.log.busy).toBe(false); // mount erased it: a panic can program right away
    const erases = flash.stats.erases;
    expect(b.log.panic("{}")).toBe(true);
    expect(flash.stats.erases).toBe(erases);
  });

  it("does not erase at every boot (mtdoops weakness: boot-time erase destroys history)", () => {
    const flash = newFlash(NOR_4K);
    let b = bootBoard(flash, 1024, OPTS);
    for (let i = 0; i < 50; i++) {
      b.log.dump(Reason.OOPS, "{}");
      b.sched.runAll();
    }
    const seqs = liveSeqs(b.log);
    const erases = flash.stats.erases;
    for (let i = 0; i < 20; i++) b = bootBoard(flash, 1024, OPTS);
    expect(flash.stats.erases).toBe(erases);
    expect(liveSeqs(b.log)).toEqual(seqs);
  });
});

describe("bad blocks", () => {
  it("retries an erase 3 times, then skips the block and keeps writing", () => {
    const flash = newFlash(NRF_4K);
    const b = bootBoard(flash, 1024, OPTS);
    for (let i = 0; i < 4; i++) b.log.panic("{}");
    // Block 1 was erased fresh; make block 2 fail and put data in it so an erase is needed.
    flash.failBlock(2, { erase: true, mode: "error" });
    for (let i = 0; i < 4; i++) {
      b.log.dump(Reason.OOPS, "{}");
      b.sched.runAll();
    }
    expect(b.log.stats.badBlocks).toBe(0); // block 2 was still erased from the factory
    for (let i = 0; i < 16; i++) {
      b.log.dump(Reason.OOPS, "{}");
      b.sched.runAll();
    }
    // Second lap: block 2 now needs an erase, which fails 3 times.
    expect(b.log.stats.badBlocks).toBe(1);
    expect(b.log.state).toBe("ready");
    // 24 records written; the 4 slots of block 2 are skipped and seq advances with them
    // (seq stays tied to the slot: SPEC.md §3).
    expect(b.log.nextSlot).toBe(12);
    expect(b.log.nextSeq).toBe(29);
    expect(b.log.panic("{}")).toBe(true);
    const seqs = liveSeqs(b.log);
    expect(seqs.slice(-2)).toEqual([24, 29]);
  });

  // The hardening campaign once judged this a missing report (seed 125937023 on esp32, where
  // a block set failing left random bytes twice and then, by chance, all erased): a block
  // that a retry erased is whole room again, so it is used and not counted in badBlocks.
  it("uses a block that a retry erased, and does not count it bad", () => {
    const flash = newFlash(NRF_4K);
    flash.program(2 * 4096, new Uint8Array(4096).fill(0x12)); // block 2 needs an erase
    flash.failBlock(2, { erase: true, mode: "error" });
    const erase = flash.erase.bind(flash);
    let block2Erases = 0;
    flash.erase = (addr: number): void => {
      try {
        erase(addr);
      } finally {
        // Two erases of block 2 fail (EIO, random bytes left); the third erases it.
        if (addr === 2 * 4096 && ++block2Erases === 2) flash.healBlock(2);
      }
    };
    const b = bootBoard(flash, 1024, OPTS);
    for (let i = 0; i < 10; i++) {
      b.log.dump(Reason.OOPS, "{}");
      b.sched.runAll();
    }
    expect(block2Erases).toBe(3);
    expect(b.log.stats.badBlocks).toBe(0);
    expect(b.log.state).toBe("ready");
    expect(liveSeqs(b.log)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // slots 8 and 9 in block 2
  });

  it("stops cleanly when every block is bad: no loop, no throw, writes return false", () => {
    const flash = newFlash(NRF_4K);
    for (let blk = 0; blk < 4; blk++) flash.failBlock(blk, { erase: true, mode: "noop" });
    // Put foreign data everywhere so every block needs an erase.
    for (let blk = 0; blk < 4; blk++) {
      const junk = new Uint8Array(4096).fill(0x12);
      flash.program(blk * 4096, junk);
    }
    const b = bootBoard(flash, 1024, OPTS);
    expect(b.log.state).toBe("failed");
    expect(b.log.panic("{}")).toBe(false);
    expect(b.log.dump(Reason.OOPS, "{}")).toBe(false);
    b.sched.runAll();
    expect(b.log.stats.erases).toBe(4 * 3);
  });
});

describe("max_reason, per-boot cap, compression", () => {
  it("filters dumps above maxReason", () => {
    const b = bootBoard(newFlash(NRF_4K), 1024, { ...OPTS, maxReason: Reason.OOPS });
    expect(b.log.dump(Reason.SHUTDOWN, "{}")).toBe(false);
    expect(b.log.dump(Reason.OOPS, "{}")).toBe(true);
    b.sched.runAll();
    expect(b.log.stats.filtered).toBe(1);
    expect(liveSeqs(b.log)).toEqual([1]);
  });

  it("caps records per boot, keeping one for a panic", () => {
    const b = bootBoard(newFlash(NOR_4K), 1024, { loopThreshold: 0, maxRecordsPerBoot: 3 });
    for (let i = 0; i < 10; i++) {
      b.log.dump(Reason.OOPS, "{}");
      b.sched.runAll();
    }
    expect(b.log.panic("{}")).toBe(true);
    expect(b.log.panic("{}")).toBe(false);
    expect(liveSeqs(b.log)).toHaveLength(4);
    expect(b.log.stats.suppressed).toBe(8);
  });

  it("compresses only when the console does not fit, and flags truncation", () => {
    const { calls, compress } = recordingCompressor(4);
    const b = bootBoard(newFlash(NOR_4K), 1024, { ...OPTS, compress }, 8192);
    b.ring.write("x".repeat(500));
    b.log.dump(Reason.OOPS, "{}");
    b.log.runJobs();
    expect(calls).toEqual([]);
    b.ring.write("y".repeat(3000));
    b.log.dump(Reason.OOPS, "{}");
    b.log.runJobs();
    expect(calls.length).toBeGreaterThan(0);
    const flags: number[] = [];
    b.log.forEach((r) => flags.push(r.record.flags));
    expect(flags).toEqual([0, 1]); // second: HEATSHRINK, whole ring fit after compression
  });

  it("takes as much console as the last compression's ratio fits: one try, not a retry", () => {
    const { calls, compress } = recordingCompressor(2);
    const b = bootBoard(newFlash(NOR_4K), 1024, { ...OPTS, compress }, 8192);
    b.ring.write("y".repeat(4000));
    // The first dump of the boot tries the whole ring (too much at 2:1), then the part
    // that its ratio says fits.
    b.log.dump(Reason.OOPS, "{}");
    b.log.runJobs();
    expect(calls).toHaveLength(2);
    expect(calls[0]).toBeGreaterThan(4000);
    const second = calls[1] as number;
    expect(second).toBeLessThan(2 * (1024 - 48));
    // The next one starts from that ratio (2:1 but for the rounding of an odd length): one
    // try, the room less a tenth.
    calls.length = 0;
    b.ring.write("z".repeat(4000));
    b.log.dump(Reason.OOPS, "{}");
    b.log.runJobs();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeGreaterThan(Math.floor((1024 - 48) * 1.99 * 0.9));
    expect(calls[0]).toBeLessThanOrEqual(Math.floor((1024 - 48) * 2 * 0.9));
    const got: Array<[number, number]> = [];
    b.log.forEach((r) => got.push([r.record.flags, r.record.payload.length]));
    // HEATSHRINK | TRUNCATED, each within the slot.
    expect(got.map((g) => g[0])).toEqual([3, 3]);
    for (const g of got) expect(g[1]).toBeLessThanOrEqual(1024 - 48);
  });

  it("never compresses a panic: the newest console that fits, flagged truncated", () => {
    const { calls, compress } = recordingCompressor(4);
    const b = bootBoard(newFlash(NOR_4K), 1024, { ...OPTS, compress }, 8192);
    b.ring.write("y".repeat(2990) + "0123456789");
    expect(b.log.panic("{}")).toBe(true);
    expect(calls).toEqual([]);
    const got: Array<[number, string]> = [];
    b.log.forEach((r) =>
      got.push([r.record.flags, Buffer.from(r.record.payload).toString("latin1").slice(-10)]),
    );
    expect(got).toEqual([[2, "0123456789"]]); // TRUNCATED, not HEATSHRINK; the newest bytes kept
  });
});
