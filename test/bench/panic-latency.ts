// Panic latency against the part's limit: the simulated flash time from a panic to its
// committed record, divided by the time to program exactly the record's bytes once (header,
// payload, commit marker: no erase, no rest of the slot). For our log and for the mtdoops
// model, on the board's geometry and flash part. Host-only; bench code.

import type { BoardDefinition } from "../../src/boards/schema.js";
import { boardGeometry } from "../../src/boards/geometry.js";
import { alignUp, HEADER_SIZE } from "../../src/core/record.js";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { getPart } from "../../src/boards/parts.js";
import { consoleLog, crashContext } from "./console-log.js";
import { programOnceUs } from "./limits.js";
import { MTDOOPS_HEADER_SIZE, MtdoopsModel } from "./mtdoops-model.js";
import { HEATSHRINK, bootBoard } from "../helpers/model.js";

/** Console before the panic: a board that ran a while (its ring full), or one that just booted. */
export type ConsoleScenario = "full" | "short";

export interface PanicFigures {
  /** Mean over the panics of (time to the committed record) / (time to program its bytes once). */
  ratio: number;
  /** The worst single panic's ratio. */
  maxRatio: number;
  /** Mean over the panics of the whole panic call's time (mtdoops erases in it) / the same minimum. */
  handlerRatio: number;
  panics: number;
  /** Mean bytes programmed per panic, and the record's own bytes. */
  programBytes: number;
  recordBytes: number;
}

const SHORT_CONSOLE_BYTES = 200;

/** Each panic comes in its own boot, late enough (60 s) that no crash-loop rule applies. */
const UPTIME_MS = 60_000;

function consoleFor(scenario: ConsoleScenario, board: BoardDefinition, n: number): string {
  const bytes = scenario === "full" ? board.ringSize : SHORT_CONSOLE_BYTES;
  const text = consoleLog(1000 + n, bytes);
  return text.slice(text.length - bytes);
}

function summarise(
  ratios: number[],
  handler: number[],
  programBytes: number[],
  recordBytes: number[],
): PanicFigures {
  const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
  return {
    ratio: mean(ratios),
    maxRatio: Math.max(...ratios),
    handlerRatio: mean(handler),
    panics: ratios.length,
    programBytes: mean(programBytes),
    recordBytes: mean(recordBytes),
  };
}

/** Our log: `panics` boots, each mounting and panicking once, over several laps of the ring. */
export function measureOurPanic(
  board: BoardDefinition,
  scenario: ConsoleScenario,
  panics: number,
): PanicFigures {
  const g = boardGeometry(board);
  const part = getPart(board.part);
  const flash = new SimulatedNorFlash({ geometry: g, part, strict: true });
  const ratios: number[] = [];
  const programBytes: number[] = [];
  const recordBytes: number[] = [];
  for (let n = 0; n < panics; n++) {
    const { sched, ring, log } = bootBoard(flash, board.recordSize, HEATSHRINK, board.ringSize);
    sched.advance(UPTIME_MS);
    ring.write(consoleFor(scenario, board, n));
    const slot = log.nextSlot;
    const s0 = flash.stats;
    const t0 = flash.elapsedUs;
    if (!log.panic(crashContext(board.id, n)))
      throw new Error("bench: panic " + n + " on " + board.id + " was not written");
    const spent = flash.elapsedUs - t0;
    const base = slot * board.recordSize;
    const h = flash.peek(base + 44, 2);
    const end = alignUp(HEADER_SIZE + (h[0]! | (h[1]! << 8)), g.progUnit);
    ratios.push(spent / programOnceUs(part, g, base, end));
    programBytes.push(flash.stats.programBytes - s0.programBytes);
    recordBytes.push(end);
    sched.advance(1000); // the erase-ahead job runs before the next boot
  }
  return summarise(ratios, ratios, programBytes, recordBytes);
}

/** The mtdoops model on the same flash part: the same panics, one per boot. */
export function measureMtdoopsPanic(
  board: BoardDefinition,
  scenario: ConsoleScenario,
  panics: number,
): PanicFigures {
  const g = boardGeometry(board);
  const part = getPart(board.part);
  const flash = new SimulatedNorFlash({ geometry: g, part });
  const ratios: number[] = [];
  const handler: number[] = [];
  const programBytes: number[] = [];
  const recordBytes: number[] = [];
  let committedAt = 0;
  for (let n = 0; n < panics; n++) {
    const m = new MtdoopsModel({
      flash,
      recordSize: board.recordSize,
      onRecordWritten: () => (committedAt = flash.elapsedUs),
    });
    m.attach();
    m.runWork();
    const text = consoleFor(scenario, board, n);
    const base = m.nextpage * board.recordSize;
    const s0 = flash.stats;
    const t0 = flash.elapsedUs;
    m.dump("panic", text);
    const t1 = flash.elapsedUs;
    // The record's own bytes: the header and the text (mtdoops has no commit marker).
    const slotBytes = flash.peek(base, board.recordSize);
    let end = board.recordSize;
    while (end > MTDOOPS_HEADER_SIZE && slotBytes[end - 1] === 0xff) end--;
    const min = programOnceUs(part, g, base, end);
    ratios.push((committedAt - t0) / min);
    handler.push((t1 - t0) / min);
    programBytes.push(flash.stats.programBytes - s0.programBytes);
    recordBytes.push(end);
  }
  return summarise(ratios, handler, programBytes, recordBytes);
}
