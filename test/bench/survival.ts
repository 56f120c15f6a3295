// Record survival under crash storms: after a storm of K crashes (K = 1 .. 4 x slots), which
// of the storm's records are still on flash, and is the first one (usually the root cause)
// among them. Our log against the mtdoops model (dump_oops=1), on a partition that already
// holds a lap of older records. Host-only; bench code.
//
// Two storms:
// - "bootloop": the app crashes 2 s into every boot (an uncaught exception), K boots. Our
//   crash-loop guard (SPEC.md §5) promises the first crashes of the loop stay on flash.
// - "burst": K crashes 1 s apart in one boot, a minute after boot. Our per-boot cap promises
//   the boot's first records stay.

import type { BoardDefinition } from "../../src/boards/schema.js";
import { boardGeometry } from "../../src/boards/geometry.js";
import { REASON_NOTE_FREE_TEXT } from "./storm-reasons.js";
import { Reason } from "../../src/core/record.js";
import { decodeLinuxMtdoopsImage } from "../../src/host/linux-mtdoops.js";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { openRecord } from "../../src/sim/virtual-board.js";
import { consoleLog } from "./console-log.js";
import { MtdoopsModel } from "./mtdoops-model.js";
import { HEATSHRINK, bootBoard } from "../helpers/model.js";
import type { Board } from "../helpers/model.js";

export type StormKind = "bootloop" | "burst";

export interface StormPoint {
  k: number;
  /** Storm crashes whose record is on flash after the storm (ours / mtdoops). */
  kept: number;
  mtdoopsKept: number;
  firstKept: boolean;
  mtdoopsFirstKept: boolean;
  /** Whether our policy promises the first crash stays (see `promisesFirst`). */
  promised: boolean;
  /** Whether the last crash of the storm is on flash. */
  lastKept: boolean;
  mtdoopsLastKept: boolean;
}

export interface StormCurve {
  kind: StormKind;
  slots: number;
  points: StormPoint[];
  /** True when, at every K where the policy promises it, the first crash is on flash. */
  firstKeptWheneverPromised: boolean;
}

/** The log's defaults (src/core/log-core.ts): crash-loop threshold and per-boot cap. */
const LOOP_THRESHOLD = 3;
const MAX_RECORDS_PER_BOOT = 8;

/**
 * Whether the policy promises the storm's first crash survives: every record the storm may
 * write must fit in what the partition always keeps, (blocks - 1) x slots per block (the
 * erase-ahead keeps the block at the write point erased). A crash loop writes at most
 * LOOP_THRESHOLD records before the guard stops it; a burst in one boot at most
 * MAX_RECORDS_PER_BOOT.
 */
export function promisesFirst(
  kind: StormKind,
  k: number,
  blocks: number,
  slotsPerBlock: number,
): boolean {
  const written =
    kind === "bootloop" ? Math.min(k, LOOP_THRESHOLD) : Math.min(k, MAX_RECORDS_PER_BOOT);
  return written <= (blocks - 1) * slotsPerBlock;
}

const MARK = "storm crash #";

function stormIds(texts: string[]): Set<number> {
  const ids = new Set<number>();
  for (const t of texts) {
    const i = t.lastIndexOf(MARK);
    if (i >= 0) ids.add(parseInt(t.slice(i + MARK.length), 10));
  }
  return ids;
}

/** The storm crashes our log holds: read from a copy of the flash, so the storm is not disturbed. */
function ourIds(board: BoardDefinition, flash: SimulatedNorFlash): Set<number> {
  const { log } = bootBoard(flash.clone(), board.recordSize, HEATSHRINK, 64, 0);
  const texts: string[] = [];
  log.forEach((r) => {
    const raw = log.readRaw(r.slot);
    if (raw) texts.push(openRecord(raw, board.recordSize).console);
  }, true);
  return stormIds(texts);
}

function mtdoopsIds(board: BoardDefinition, flash: SimulatedNorFlash): Set<number> {
  const d = decodeLinuxMtdoopsImage(flash.toImage(), {
    recordSize: board.recordSize,
    endian: "le",
  });
  return stormIds(d.records.map((r) => r.text));
}

/** The console at crash `n` of the storm: the app's output, the crash marker last. */
function crashConsole(n: number): string {
  return consoleLog(5000 + n, 300) + MARK + n + "\r\n";
}

/**
 * Runs a storm of `maxK` crashes once and reads both partitions after every crash: the state
 * after the first K crashes of a storm is the state after a storm of K.
 */
export function measureStorm(board: BoardDefinition, kind: StormKind, maxK: number): StormCurve {
  const g = boardGeometry(board);
  const slots = g.size / board.recordSize;
  const flash = new SimulatedNorFlash({ geometry: g, part: board.part, strict: true });
  const mtdFlash = new SimulatedNorFlash({ geometry: g, part: board.part });
  // A lap of older records, written late in earlier boots (no crash loop), on both.
  for (let i = 0; i < slots; i++) {
    const { sched, ring, log } = bootBoard(flash, board.recordSize, HEATSHRINK, board.ringSize);
    sched.advance(120_000);
    ring.write("old note " + i + "\r\n");
    log.dump(REASON_NOTE_FREE_TEXT, '{"msg":"old ' + i + '"}');
    sched.runAll();
    const m = new MtdoopsModel({ flash: mtdFlash, recordSize: board.recordSize });
    m.attach();
    m.runWork();
    m.dump("oops", "old note " + i + "\n");
    m.runWork();
  }
  const points: StormPoint[] = [];
  const record = (k: number): void => {
    const ours = ourIds(board, flash);
    const theirs = mtdoopsIds(board, mtdFlash);
    let kept = 0;
    let mtdoopsKept = 0;
    for (let n = 1; n <= k; n++) {
      if (ours.has(n)) kept++;
      if (theirs.has(n)) mtdoopsKept++;
    }
    points.push({
      k,
      kept,
      mtdoopsKept,
      firstKept: ours.has(1),
      promised: promisesFirst(kind, k, g.size / g.eraseSize, g.eraseSize / board.recordSize),
      mtdoopsFirstKept: theirs.has(1),
      lastKept: ours.has(k),
      mtdoopsLastKept: theirs.has(k),
    });
  };
  // Both kinds boot before the first crash (bootBoth).
  let ours!: Board;
  let m!: MtdoopsModel;
  const bootBoth = (): void => {
    ours = bootBoard(flash, board.recordSize, HEATSHRINK, board.ringSize);
    m = new MtdoopsModel({ flash: mtdFlash, recordSize: board.recordSize });
    m.attach();
    m.runWork();
  };
  if (kind === "burst") {
    bootBoth();
    ours.sched.advance(60_000);
  }
  for (let n = 1; n <= maxK; n++) {
    if (kind === "bootloop") {
      bootBoth();
      ours.sched.advance(2_000);
    } else {
      ours.sched.advance(1_000);
    }
    const text = crashConsole(n);
    ours.ring.write(text);
    ours.log.dump(Reason.OOPS, '{"msg":"' + MARK + n + '"}');
    ours.sched.runAll();
    m.dump("oops", text.replace(/\r\n/g, "\n"));
    m.runWork();
    record(n);
  }
  return {
    kind,
    slots,
    points,
    firstKeptWheneverPromised: points.every((p) => p.firstKept || !p.promised),
  };
}
