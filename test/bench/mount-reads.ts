// Mount cost against slot count: the slot headers a mount reads in the normal case (a ring
// that has wrapped, the write point anywhere), for our log and the mtdoops model, each on a
// partition its own dumps filled. Host-only; bench code.

import type { FlashGeometry } from "../../src/core/flash.js";
import { CrashLog } from "../../src/core/log.js";
import { ConsoleRing } from "../../src/core/ring.js";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { VirtualScheduler } from "../../src/sim/virtual-scheduler.js";
import { MtdoopsModel } from "./mtdoops-model.js";

export interface MountReads {
  slots: number;
  /** Our mount's header reads: the most over the write points tried. */
  reads: number;
  /** The mtdoops model's attach: header reads (the most over the same write points). */
  mtdoopsReads: number;
  /** Our mount's other reads (erased-range checks, the newest record's CRC), in bytes. */
  otherReadBytes: number;
  /** True when any of our mounts fell back to the full scan. */
  fullScan: boolean;
}

/** The goal: a binary search and its check, 2 ceil(log2 N) + 4 header reads. */
export function mountReadGoal(slots: number): number {
  return 2 * Math.ceil(Math.log2(slots)) + 4;
}

/** A SPI NOR partition (4 KB blocks) of `slots` slots: 256-byte slots, 512 below 32 slots (two blocks at least). */
export function mountGeometry(slots: number): { geometry: FlashGeometry; recordSize: number } {
  const recordSize = slots >= 32 ? 256 : 512;
  return {
    geometry: {
      size: slots * recordSize,
      eraseSize: 4096,
      progUnit: 4,
      pageSize: 256,
      erasedValue: 0xff,
    },
    recordSize,
  };
}

const RECORDS_PER_BOOT = 1000;

/**
 * Fills a partition past one lap and mounts at `points` write points spread over the
 * second lap; returns the most header reads a mount needed.
 */
export function measureMountReads(slots: number, points: number): MountReads {
  const { geometry, recordSize } = mountGeometry(slots);
  const flash = new SimulatedNorFlash({ geometry, strict: true });
  const mtdFlash = new SimulatedNorFlash({ geometry });
  let written = 0;
  let log: CrashLog | null = null;
  let sched = new VirtualScheduler();
  let reads = 0;
  let mtdoopsReads = 0;
  let otherReadBytes = 0;
  let fullScan = false;
  const bootLog = (): CrashLog => {
    sched = new VirtualScheduler();
    const l = new CrashLog({
      flash,
      recordSize,
      scheduler: sched,
      clock: sched,
      ring: new ConsoleRing(64),
      maxRecordsPerBoot: RECORDS_PER_BOOT,
      loopThreshold: 0,
    });
    l.mount();
    return l;
  };
  let mtd = new MtdoopsModel({ flash: mtdFlash, recordSize });
  mtd.attach();
  mtd.runWork();
  for (let p = 1; p <= points; p++) {
    const target = slots + Math.floor((p * slots) / (points + 1)) + p; // write points spread over lap 2
    while (written < target) {
      if (!log || written % RECORDS_PER_BOOT === 0) log = bootLog();
      log.dump(2, '{"msg":"r' + written + '"}');
      sched.runAll();
      mtd.dump("oops", "r" + written + "\n");
      mtd.runWork();
      written++;
    }
    // Our mount, on the next boot.
    const s0 = flash.stats;
    const probe = bootLog();
    const info = probe.mount();
    reads = Math.max(reads, info.headersRead);
    fullScan = fullScan || info.fullScan;
    const s1 = flash.stats;
    otherReadBytes = Math.max(otherReadBytes, s1.readBytes - s0.readBytes - info.headersRead * 48);
    log = probe;
    // The mtdoops attach on the same write point.
    mtd = new MtdoopsModel({ flash: mtdFlash, recordSize });
    mtd.attach();
    mtd.runWork();
    mtdoopsReads = Math.max(mtdoopsReads, mtd.stats.headerReads);
  }
  return { slots, reads, mtdoopsReads, otherReadBytes, fullScan };
}
