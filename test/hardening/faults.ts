// The log on failing flash, on every board geometry (boards/*.json): long seeded workloads
// of panics, dumps, console output and reboots while blocks start failing (erase or
// program, throwing or silently doing nothing), blocks wear out, and reads flip bits.
// Each run counts:
//   - a hang: the log made more flash calls than any workload needs (a step budget), or
//     threw;
//   - a loss: a record known written is gone from a clean listing although its block was
//     never erased since, a listed record is not one the workload wrote (byte for byte),
//     or a seq names two records (a reused seq loses records on a host's resume).
// And the log must keep working with less room: while two blocks still erase it stays
// "ready" and reports the bad ones (stats.badBlocks), and its next seq is newer than every
// seq it wrote. Every run is (board, seed): a failure names both, `runFaults` replays it.

import { loadAllBoards } from "../../src/boards/load.js";
import { boardGeometry } from "../../src/boards/geometry.js";
import type { SlotRecord } from "../../src/core/log.js";
import { Reason, splitPayload } from "../../src/core/record.js";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { Prng } from "../../src/sim/prng.js";
import {
  BudgetExceeded,
  RING_SIZE,
  RingMirror,
  bootBoard,
  bytesEqual,
  expectedDump,
  idOf,
  instrument,
  list,
  newerThanAll,
  peekRecord,
} from "../helpers/model.js";
import type { Board } from "../helpers/model.js";

export interface FaultRun {
  board: string;
  seed: number;
  hang: string;
  lost: string;
}

const OPTS = { loopThreshold: 0, maxRecordsPerBoot: 1000 };
const STEPS = 400;
const BUDGET = 3_000_000;

export function faultRun(boardId: string, seed: number, trace?: (line: string) => void): FaultRun {
  const board = loadAllBoards().find((b) => b.id === boardId);
  if (!board) throw new Error("no board " + boardId);
  const g = boardGeometry(board);
  const blocks = g.size / g.eraseSize;
  const prng = new Prng(seed);
  const wearOut = prng.next() < 0.4;
  const flash = new SimulatedNorFlash({
    geometry: g,
    strict: true,
    seed,
    ...(wearOut ? { enduranceCycles: 5 + (prng.nextUint32() % 40) } : {}),
  });
  const probe = instrument(flash, BUDGET);
  // Blocks whose latest erase left them not erased (it threw, did nothing, or wore out), and
  // the step of that erase. A later erase of the block that leaves it erased takes it out:
  // the erase-ahead retries a failed erase (DESIGN.md, "Erase-ahead"), and a block that a
  // retry erased is whole room again, not a bad block. (A block set failing with "error"
  // leaves random bytes at each erase, and now and then they all read erased: seed
  // 125937023 on esp32 has two failed erases then one that erased block 12.)
  const failedErases = new Map<number, number>();
  const erase = flash.erase.bind(flash);
  flash.erase = (addr: number): void => {
    const blk = Math.floor(addr / g.eraseSize);
    try {
      erase(addr);
    } finally {
      if (!flash.peek(blk * g.eraseSize, g.eraseSize).every((x) => x === 0xff))
        failedErases.set(blk, probe.clock);
      else failedErases.delete(blk);
    }
  };
  const out: FaultRun = { board: boardId, seed, hang: "", lost: "" };
  const where = (step: number, what: string): string =>
    `board ${boardId} seed ${seed} step ${step} (${what}; replay: faultRun("${boardId}", ${seed}))`;

  let b: Board;
  try {
    b = bootBoard(flash, board.recordSize, OPTS);
  } catch (e) {
    out.hang = where(0, "first mount") + ": " + String(e);
    return out;
  }
  const expected = new Map<number, Uint8Array>();
  const mirror = new RingMirror(RING_SIZE);
  const consoleOut = (text: string): void => {
    const bytes = new TextEncoder().encode(text);
    b.ring.write(bytes);
    mirror.write(bytes);
  };
  let bootStep = 0;
  /**
   * Seqs a new record must be newer than: those on flash when this boot began and those it
   * wrote. (A flash that lost every record, all its blocks worn or failed, starts again from
   * what remains: nothing on it tells a later seq; DESIGN.md, Limits.)
   */
  let floor: number[] = [];
  const written: Array<{ id: number; slot: number; seq: number; at: number }> = [];
  const seqOwner = new Map<number, number>();
  /** Blocks whose erase fails, and the step from which. */
  const eraseFailing = new Map<number, number>();
  /** Blocks whose programs fail. */
  const programFailing = new Set<number>();
  let nextId = 1;

  const cleanList = (): SlotRecord[] => {
    flash.readFlips({ probability: 0 });
    try {
      return list(b.log, true);
    } finally {
      flash.readFlips({ probability: flips });
    }
  };
  let flips = 0;
  const idOfRecord = (r: SlotRecord): number => {
    const p = splitPayload(r.record.payload);
    return p ? idOf(p.context) : -1;
  };
  const seqsOnFlash = (): number[] => {
    const out: number[] = [];
    for (let slot = 0; slot < g.size / board.recordSize; slot++) {
      const rec = peekRecord(flash, board.recordSize, slot);
      if (rec) out.push(rec.seq);
    }
    return out;
  };
  const goodBlocks = (): number => {
    let n = 0;
    for (let blk = 0; blk < blocks; blk++) {
      const worn = wearOut && flash.wear(blk) >= flash.enduranceCycles;
      if (!eraseFailing.has(blk) && !programFailing.has(blk) && !worn) n++;
    }
    return n;
  };

  const check = (step: number, what: string, listing: SlotRecord[]): string => {
    // With read flips on, a listing may miss records, never return one the workload did
    // not write; the other checks take a clean listing.
    if (flips > 0)
      for (const r of list(b.log, true)) {
        const want = expected.get(idOfRecord(r));
        if (!want || !bytesEqual(want, r.record.payload))
          return `a listing with read flips returned slot ${r.slot} seq ${r.record.seq}, no record the workload wrote`;
      }
    for (const r of listing) {
      const id = idOfRecord(r);
      const want = expected.get(id);
      if (!want || !bytesEqual(want, r.record.payload))
        return `slot ${r.slot} seq ${r.record.seq} is no record the workload wrote`;
      const owner = seqOwner.get(r.record.seq);
      if (owner !== undefined && owner !== id)
        return `seq ${r.record.seq} names two records (ids ${owner}, ${id})`;
      seqOwner.set(r.record.seq, id);
    }
    const have = new Set(listing.map((r) => r.slot + ":" + r.record.seq));
    const spb = g.eraseSize / board.recordSize;
    for (const w of written) {
      const blk = Math.floor(w.slot / spb);
      if (probe.erases.some((e) => e.block === blk && e.at >= w.at)) continue;
      if (!have.has(w.slot + ":" + w.seq))
        return `record id ${w.id} (seq ${w.seq}) vanished without an erase of its block`;
    }
    if (goodBlocks() >= 2 && b.log.state !== "ready")
      return `state ${b.log.state} with ${goodBlocks()} good blocks (${what})`;
    // Seq only grows past what the flash holds. (A flash that lost its newer records, every
    // block that held them worn or failed, goes on from what remains: nothing on it tells a
    // later seq; DESIGN.md, Limits.)
    const onFlash = seqsOnFlash();
    if (onFlash.length > 0 && !newerThanAll(b.log.nextSeq, onFlash) && b.log.state === "ready")
      return `nextSeq ${b.log.nextSeq} is not newer than every seq on flash`;
    // Reports it: when the last erase this boot made of a block left it not erased, the log
    // gave up on that block (it verifies each erase, and retries only up to its limit) and
    // counts a bad block.
    const met = [...failedErases.values()].some((at) => at > bootStep);
    if (met && b.log.stats.badBlocks === 0 && b.log.state === "ready")
      return `a block failed to erase this boot but stats.badBlocks is 0 (step ${step})`;
    return "";
  };

  for (let step = 1; step <= STEPS; step++) {
    probe.clock = step;
    const r = prng.next();
    let what = "";
    try {
      if (r < 0.3 || r < 0.55) {
        const id = nextId++;
        const ctx = '{"id":' + id + "}";
        consoleOut("step " + step + " " + "y".repeat(prng.nextUint32() % 200) + "\r\n");
        const panic = r < 0.3;
        what = panic ? "panic" : "dump";
        // What the record must hold: the context and the newest console bytes, as the
        // test's own mirror of the ring has them.
        expected.set(id, expectedDump(board.recordSize, ctx, mirror).payload);
        const ok = panic ? b.log.panic(ctx) : b.log.dump(Reason.OOPS, ctx);
        b.sched.runAll();
        if (ok) {
          let hit: SlotRecord | undefined;
          for (const x of cleanList()) if (idOfRecord(x) === id) hit = x;
          if (hit) {
            // Newer than everything this boot wrote and everything on flash when it began.
            for (const seq of floor)
              if (!newerThanAll(hit.record.seq, [seq]))
                throw new Error(
                  `seq ${hit.record.seq} written after seq ${seq}: reused or rewound`,
                );
            floor.push(hit.record.seq);
            written.push({ id, slot: hit.slot, seq: hit.record.seq, at: step });
          }
          // A panic reads nothing back: on a block whose programs fail it is lost, and says
          // so only by its absence (SPEC.md §5: a panic only programs).
        }
      } else if (r < 0.62) {
        what = "reboot";
        floor = seqsOnFlash();
        // A seq can only be reused once no record on flash holds it (the limit above).
        const still = new Set(floor);
        for (const seq of [...seqOwner.keys()]) if (!still.has(seq)) seqOwner.delete(seq);
        b = bootBoard(flash, board.recordSize, OPTS);
        mirror.clear();
        bootStep = step;
      } else if (r < 0.66) {
        const blk = prng.nextUint32() % blocks;
        const mode = prng.next() < 0.5 ? "noop" : "error";
        const kind = prng.next();
        what = `fail block ${blk} ${mode}`;
        // Faults accumulate, as on worn flash: a block that failed to program or erase
        // does not heal (the simulator keeps one mode per block: the latest).
        if (kind < 0.6 || kind >= 0.8) eraseFailing.set(blk, eraseFailing.get(blk) ?? step);
        if (kind >= 0.6) programFailing.add(blk);
        flash.failBlock(blk, {
          erase: eraseFailing.has(blk),
          program: programFailing.has(blk),
          mode,
        });
      } else if (r < 0.68) {
        what = "read flips on";
        flips = 0.02;
        flash.readFlips({ probability: flips });
      } else if (r < 0.7) {
        what = "read flips off";
        flips = 0;
        flash.readFlips({ probability: 0 });
      } else if (r < 0.72) {
        what = "clear";
        b.log.clear((b.log.nextSeq - 1 - (prng.nextUint32() % 4)) >>> 0);
      } else {
        what = "console";
        consoleOut("console " + step + "\r\n");
        continue;
      }
      if (trace) {
        const slots: string[] = [];
        for (let slot = 0; slot < g.size / board.recordSize; slot++) {
          const rec = peekRecord(flash, board.recordSize, slot);
          slots.push(rec ? String(rec.seq) : ".");
        }
        trace(
          `${step} ${what}: [${slots.join(" ")}] next ${b.log.nextSlot}/${b.log.nextSeq} state ${b.log.state} flips ${flips} ${what === "reboot" ? JSON.stringify(b.info) : ""}`,
        );
      }
      // A listing with flips on must still hold only records the workload wrote.
      const problem = check(step, what, cleanList());
      if (problem) {
        out.lost = where(step, what) + ": " + problem;
        return out;
      }
    } catch (e) {
      if (e instanceof BudgetExceeded) out.hang = where(step, what) + ": " + e.message;
      else if (e instanceof Error && /reused or rewound/.test(e.message))
        out.lost = where(step, what) + ": " + e.message;
      else
        out.hang =
          where(step, what) +
          ": threw " +
          (e instanceof Error ? (e.stack ?? e.message) : String(e));
      return out;
    }
  }
  return out;
}

export function boardIds(): string[] {
  return loadAllBoards().map((b) => b.id);
}

export interface FaultsResult {
  runs: number;
  hangs: number;
  lost: number;
  messages: string[];
}

export function runFaults(seed: number, runsPerBoard: number): FaultsResult {
  const res: FaultsResult = { runs: 0, hangs: 0, lost: 0, messages: [] };
  for (const id of boardIds()) {
    for (let i = 0; i < runsPerBoard; i++) {
      const r = faultRun(id, (seed * 1000 + i) >>> 0);
      res.runs++;
      if (r.hang) {
        res.hangs++;
        if (res.messages.length < 20) res.messages.push("hang: " + r.hang);
      }
      if (r.lost) {
        res.lost++;
        if (res.messages.length < 20) res.messages.push("lost: " + r.lost);
      }
    }
  }
  return res;
}
