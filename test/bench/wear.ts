// Wear: how evenly erases spread over the blocks, erases per record against the geometry's
// minimum, and the erase rate of a device stuck in a crash loop, for our log and the
// mtdoops model on the board's geometry. Host-only; bench code.

import type { BoardDefinition } from "../../src/boards/schema.js";
import { boardGeometry } from "../../src/boards/geometry.js";
import { CrashLog } from "../../src/core/log.js";
import { Reason } from "../../src/core/record.js";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { getPart } from "../../src/boards/parts.js";
import { VirtualScheduler } from "../../src/sim/virtual-scheduler.js";
import { minErasesPerRecord } from "./limits.js";
import { MtdoopsModel } from "./mtdoops-model.js";
import { bootBoard } from "../helpers/model.js";

export interface WearFigures {
  records: number;
  /** Max minus min erase count over the blocks. */
  wearSpread: number;
  mtdoopsWearSpread: number;
  /** (erases / records) / (recordSize / eraseSize). */
  erasesPerRecordRatio: number;
  mtdoopsErasesPerRecordRatio: number;
}

const HOURS_PER_YEAR = 8766;

function bootLog(
  board: BoardDefinition,
  flash: SimulatedNorFlash,
  uptimeMs: number,
): { log: CrashLog; sched: VirtualScheduler } {
  const { log, sched } = bootBoard(flash, board.recordSize, {}, 64);
  sched.advance(uptimeMs);
  return { log, sched };
}

function spread(flash: SimulatedNorFlash): number {
  const w = flash.wearArray();
  return Math.max(...w) - Math.min(...w);
}

/**
 * `records` records in boots of 1 to 8 (a panic or oopses, a minute into each boot), on a
 * fresh partition; the same dumps on the mtdoops model.
 */
export function measureWear(board: BoardDefinition, records: number): WearFigures {
  const g = boardGeometry(board);
  const flash = new SimulatedNorFlash({ geometry: g, strict: true });
  const mtdFlash = new SimulatedNorFlash({ geometry: g });
  let written = 0;
  for (let bootNo = 0; written < records; bootNo++) {
    const { log, sched } = bootLog(board, flash, 60_000);
    const m = new MtdoopsModel({ flash: mtdFlash, recordSize: board.recordSize });
    m.attach();
    m.runWork();
    const inBoot = Math.min(1 + (bootNo % 8), records - written);
    for (let i = 0; i < inBoot; i++) {
      const panic = i === inBoot - 1 && bootNo % 3 === 0;
      if (!log.dump(panic ? Reason.PANIC : Reason.OOPS, '{"msg":"r' + written + '"}'))
        throw new Error("bench: record " + written + " on " + board.id + " was not written");
      sched.runAll();
      m.dump(panic ? "panic" : "oops", "r" + written + "\n");
      m.runWork();
      written++;
    }
  }
  const min = minErasesPerRecord(g, board.recordSize);
  return {
    records,
    wearSpread: spread(flash),
    mtdoopsWearSpread: spread(mtdFlash),
    erasesPerRecordRatio: flash.stats.erases / records / min,
    mtdoopsErasesPerRecordRatio: mtdFlash.stats.erases / records / min,
  };
}

export interface CrashLoopFigures {
  hours: number;
  /** Erases per hour over the simulated hours (after the first), ours and mtdoops. */
  erasesPerHour: number;
  mtdoopsErasesPerHour: number;
  /**
   * Years until the most-erased block reaches the part's rated cycles at that rate. When no
   * block was erased in the measured hours the rate is taken as one erase over them, and
   * the figure is a lower bound (enduranceYearsIsLowerBound).
   */
  enduranceYears: number;
  enduranceYearsIsLowerBound: boolean;
  mtdoopsEnduranceYears: number;
  ratedCycles: number;
}

/**
 * A device that crashes 2 s into every boot and restarts 10 s after boot (360 boots an
 * hour), on a partition that already holds a lap of older records. The first hour is
 * warm-up (the guard needs three crashing boots to see a loop); the rate is taken over the
 * hours after it.
 */
export function measureCrashLoop(board: BoardDefinition, hours: number): CrashLoopFigures {
  const g = boardGeometry(board);
  const slots = g.size / board.recordSize;
  const flash = new SimulatedNorFlash({ geometry: g, strict: true });
  const mtdFlash = new SimulatedNorFlash({ geometry: g });
  for (let i = 0; i < slots; i++) {
    const { log, sched } = bootLog(board, flash, 120_000);
    log.dump(Reason.SHUTDOWN, '{"msg":"old ' + i + '"}');
    sched.runAll();
    const m = new MtdoopsModel({ flash: mtdFlash, recordSize: board.recordSize });
    m.attach();
    m.runWork();
    m.dump("oops", "old " + i + "\n");
    m.runWork();
  }
  const bootsPerHour = 360;
  let w0: number[] = [];
  let mw0: number[] = [];
  for (let h = 0; h <= hours; h++) {
    if (h === 1) {
      w0 = flash.wearArray();
      mw0 = mtdFlash.wearArray();
    }
    for (let b = 0; b < bootsPerHour; b++) {
      const { log, sched } = bootLog(board, flash, 2_000);
      log.dump(Reason.OOPS, '{"msg":"crash"}');
      sched.advance(8_000); // jobs run until the restart at 10 s
      const m = new MtdoopsModel({ flash: mtdFlash, recordSize: board.recordSize });
      m.attach();
      m.runWork();
      m.dump("oops", "crash\n");
      m.runWork();
    }
  }
  const delta = (now: number[], then: number[]): number[] => now.map((x, i) => x - (then[i] ?? 0));
  const ours = delta(flash.wearArray(), w0);
  const theirs = delta(mtdFlash.wearArray(), mw0);
  const sum = (a: number[]): number => a.reduce((s, x) => s + x, 0);
  const cycles = getPart(board.part).enduranceCycles;
  const worst = Math.max(...ours);
  const mtdWorst = Math.max(...theirs);
  const years = (worstInWindow: number): number =>
    cycles / (worstInWindow / hours) / HOURS_PER_YEAR;
  return {
    hours,
    erasesPerHour: sum(ours) / hours,
    mtdoopsErasesPerHour: sum(theirs) / hours,
    enduranceYears: years(Math.max(worst, 1)),
    enduranceYearsIsLowerBound: worst === 0,
    mtdoopsEnduranceYears: years(Math.max(mtdWorst, 1)),
    ratedCycles: cycles,
  };
}
