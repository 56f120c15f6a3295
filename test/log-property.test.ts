// Model-based property tests of CrashLog on a healthy flash (SPEC.md §1-§5).
//
// A random sequence of actions (console output, panics, dumps with and without running the
// jobs, remounts on the same flash, clears around the newest seq, time passing) is applied
// both to the real log and to a small reference model of what SPEC.md says the partition
// holds: slot i of a lap holds seq base + i, the next record goes to the next slot, the
// block the write point enters is erased by the next job (or by the next mount), a panic
// fails when that erase has not run yet, at most 2 dumps wait, clear programs `freed`.
// After every action the log's listing must equal the model's exactly (slots, seqs, boot,
// reason, flags, uptime, time, freed, payload bytes). The properties are numbered in the
// checks below (8-12 are in test/log-faults-property.test.ts): 1 content and serial order,
// 2 the newest write listed last, 3 what the ring keeps, 4 clear and the freed state, 5
// panic cost, checked inside each panic, 6 mount cost, at each remount and in a dedicated
// test on 256- and 1024-slot partitions, 7 seq wrap, from a crafted image whose seqs are
// just below 2^32.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CrashLog } from "../src/core/log.js";
import { HEADER_SIZE, Reason, buildPayload } from "../src/core/record.js";
import type { SimulatedNorFlash } from "../src/sim/nor-flash.js";
import {
  EPOCH_MS,
  GEOS,
  RING_SIZE,
  RingMirror,
  alignUp,
  blocksOf,
  bootBoard,
  bytesEqual,
  craftRecord,
  eq,
  expectedDump,
  hexBytes,
  list,
  newFlash,
  ok,
  peekRecord,
  serialOrderProblem,
  seqNewer,
  slotsOf,
  spbOf,
} from "./helpers/model.js";
import type { Board, Geo } from "./helpers/model.js";

const OPTS = { loopThreshold: 0, maxRecordsPerBoot: 1000 };

// ---------------------------------------------------------------- actions

type Action =
  | { t: "console"; bytes: Uint8Array }
  | { t: "panic"; ctx: string }
  | { t: "dump"; reason: number; unexpected: boolean; ctx: string; run: boolean }
  | { t: "run" }
  | { t: "remount" }
  | { t: "clear"; delta: number }
  | { t: "time"; ms: number };

function show(a: Action): string {
  switch (a.t) {
    case "console":
      return "console(" + a.bytes.length + ")";
    case "panic":
      return "panic(" + a.ctx.length + ")";
    case "dump":
      return (
        "dump(r" +
        a.reason +
        (a.unexpected ? "!" : "") +
        "," +
        a.ctx.length +
        (a.run ? ",run" : "") +
        ")"
      );
    case "clear":
      return "clear(newest" + (a.delta >= 0 ? "+" : "") + a.delta + ")";
    case "time":
      return "time(+" + a.ms + ")";
    default:
      return a.t;
  }
}

const bytesArb = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });
const ctxArb = (max: number): fc.Arbitrary<string> =>
  fc
    .oneof({ weight: 4, arbitrary: bytesArb(48) }, { weight: 1, arbitrary: bytesArb(max) })
    .map((b) => String.fromCharCode(...b));

function actionArb(g: Geo): fc.Arbitrary<Action> {
  const slots = slotsOf(g);
  const ctxMax = Math.min(g.recordSize / 2 + 40, 1200);
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .oneof({ weight: 5, arbitrary: bytesArb(200) }, { weight: 1, arbitrary: bytesArb(2600) })
        .map((bytes): Action => ({ t: "console", bytes })),
    },
    { weight: 4, arbitrary: ctxArb(ctxMax).map((ctx): Action => ({ t: "panic", ctx })) },
    {
      weight: 5,
      arbitrary: fc
        .record({
          reason: fc.integer({ min: 2, max: 5 }),
          unexpected: fc.boolean(),
          ctx: ctxArb(ctxMax),
          run: fc.boolean(),
        })
        .map((d): Action => ({ t: "dump", ...d })),
    },
    { weight: 1, arbitrary: fc.constant<Action>({ t: "run" }) },
    { weight: 2, arbitrary: fc.constant<Action>({ t: "remount" }) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: -(slots + 2), max: 2 })
        .map((delta): Action => ({ t: "clear", delta })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 0, max: 40_000 }).map((ms): Action => ({ t: "time", ms })),
    },
  );
}

// ---------------------------------------------------------------- reference model

interface MRec {
  seq: number;
  slot: number;
  boot: number;
  reason: number;
  flags: number;
  uptime: number;
  time: number;
  payload: Uint8Array;
  freed: boolean;
}

type Pending = Omit<MRec, "seq" | "slot" | "boot" | "freed">;

class Model {
  readonly n: number;
  readonly spb: number;
  slots: (MRec | null)[];
  nextSlot = 0;
  nextSeq = 1;
  boot = 1;
  eraseNeeded = false;
  pending: Pending[] = [];
  ring = new RingMirror(RING_SIZE);
  /** Seqs of every successful write, oldest first (all boots). */
  writtenSeqs: number[] = [];
  bootWritten = 0;
  bootLost = 0;

  constructor(readonly g: Geo) {
    this.n = slotsOf(g);
    this.spb = spbOf(g);
    this.slots = new Array<MRec | null>(this.n).fill(null);
  }

  write(p: Pending): MRec {
    const r: MRec = { ...p, seq: this.nextSeq, slot: this.nextSlot, boot: this.boot, freed: false };
    if (this.slots[this.nextSlot]) throw new Error("model: writing over slot " + this.nextSlot);
    this.slots[this.nextSlot] = r;
    this.writtenSeqs.push(r.seq);
    this.bootWritten++;
    this.nextSlot = (this.nextSlot + 1) % this.n;
    this.nextSeq = (this.nextSeq + 1) >>> 0;
    if (this.nextSlot % this.spb === 0) this.eraseNeeded = true;
    return r;
  }

  eraseAhead(): void {
    if (!this.eraseNeeded) return;
    const first = this.nextSlot - (this.nextSlot % this.spb);
    for (let i = first; i < first + this.spb; i++) this.slots[i] = null;
    this.eraseNeeded = false;
  }

  runJobs(): void {
    for (const p of this.pending) {
      this.eraseAhead();
      this.write(p);
    }
    this.pending = [];
    this.eraseAhead();
  }

  newest(): MRec | null {
    let best: MRec | null = null;
    for (const r of this.slots) if (r && (!best || seqNewer(r.seq, best.seq))) best = r;
    return best;
  }

  /** A reboot: RAM is gone; the mount finishes a pending erase-ahead. */
  remount(): void {
    this.eraseAhead();
    this.pending = [];
    this.ring.clear();
    this.bootWritten = 0;
    this.bootLost = 0;
    const nw = this.newest();
    if (nw) {
      if (nw.slot !== (this.nextSlot - 1 + this.n) % this.n)
        throw new Error("model: newest not before the write point");
      this.boot = (nw.boot + 1) >>> 0;
    } else {
      this.boot = 1;
      this.nextSlot = 0;
      this.nextSeq = 1;
    }
  }

  clear(upto: number): number {
    let k = 0;
    for (const r of this.slots) {
      if (r && !r.freed && !seqNewer(r.seq, upto)) {
        r.freed = true;
        k++;
      }
    }
    return k;
  }

  /** Records in ring order from the write point: what forEach(cb, true) must return. */
  listing(): MRec[] {
    const out: MRec[] = [];
    for (let i = 0; i < this.n; i++) {
      const r = this.slots[(this.nextSlot + i) % this.n];
      if (r) out.push(r);
    }
    return out;
  }
}

/** Everything but the payload bytes, compared as one string per record. */
function summary(r: Omit<MRec, "payload">): string {
  return [
    r.slot,
    r.seq,
    r.boot,
    r.reason,
    r.flags,
    r.uptime,
    r.time,
    r.freed ? "freed" : "live",
  ].join(":");
}

// ---------------------------------------------------------------- interpreter

interface Init {
  flash: SimulatedNorFlash;
  model: Model;
}

/** The binary search and its checks, plus two headers per erase block (the stale-block check). */
function mountBound(n: number, blocks: number): number {
  return 2 * Math.ceil(Math.log2(n)) + 4 + 2 * blocks;
}

function checkMount(b: Board, m: Model, eraseWasPending: boolean): void {
  const nw = m.newest();
  eq(b.info.newestSeq, nw ? nw.seq : -1, "MountInfo.newestSeq");
  eq(b.info.nextSlot, m.nextSlot, "MountInfo.nextSlot");
  eq(b.info.nextSeq, m.nextSeq, "MountInfo.nextSeq");
  eq(b.info.boot, m.boot, "MountInfo.boot");
  eq(b.info.crashLoop, false, "MountInfo.crashLoop");
  if (!eraseWasPending) {
    // 6: a clean partition (erase-ahead done) mounts on the O(log N) path, never the full scan.
    eq(b.info.fullScan, false, "MountInfo.fullScan on a clean partition");
    ok(
      b.info.headersRead <= mountBound(m.n, b.log.blocks),
      "mount read " + b.info.headersRead + " headers of " + m.n + " slots",
    );
  }
}

function checkAll(b: Board, m: Model, g: Geo): void {
  const log: CrashLog = b.log;
  eq(log.state, "ready", "state");
  eq(log.nextSlot, m.nextSlot, "write point");
  eq(log.nextSeq, m.nextSeq, "nextSeq");
  eq(log.boot, m.boot, "boot");
  eq(log.stats.written, m.bootWritten, "stats.written this boot");
  eq(log.stats.lost, m.bootLost, "stats.lost this boot");

  const all = list(log, true);
  const want = m.listing();
  // 1 (content) and 3, 4 (exact set, freed state): the listing is exactly the model's.
  eq(
    all.map((r) => summary({ ...r.record, slot: r.slot })),
    want.map(summary),
    "listing (slot:seq:boot:reason:flags:uptime:time:freed)",
  );
  for (let i = 0; i < all.length; i++) {
    const r = all[i]!;
    const p = want[i]!.payload;
    // Byte-identical to what the test asked to write (context + console bytes).
    if (!bytesEqual(r.record.payload, p))
      eq(hexBytes(r.record.payload, 4096), hexBytes(p, 4096), "payload of seq " + r.record.seq);
    // Every returned record passes decodeRecord on the raw slot bytes, independently of forEach.
    const raw = peekRecord(b.flash, g.recordSize, r.slot);
    ok(raw !== null, "decodeRecord rejects slot " + r.slot);
    eq(raw!.seq, r.record.seq, "decodeRecord seq of slot " + r.slot);
    eq(raw!.crc, r.record.crc, "decodeRecord crc of slot " + r.slot);
  }
  // 1: strictly increasing in serial order (hence unique).
  eq(serialOrderProblem(all.map((r) => r.record.seq)), "", "serial order");
  const live = list(log, false);
  eq(
    live.map((r) => r.record.seq),
    all.filter((r) => !r.record.freed).map((r) => r.record.seq),
    "live listing",
  );

  const written = m.writtenSeqs;
  if (written.length > 0) {
    // 2: the newest successful write is readable and is the last one listed.
    ok(all.length > 0, "nothing listed after " + written.length + " writes");
    eq(
      all[all.length - 1]!.record.seq,
      written[written.length - 1],
      "last listed = newest written",
    );
    // 3: the design keeps every block but the one at the write point: at least the newest
    // min(N, (blocks-1) * slotsPerBlock) writes are present (>= (blocks-2) * slotsPerBlock
    // + 1, what any ring that erases one block ahead of its writer keeps).
    const keep = Math.min(written.length, (blocksOf(g) - 1) * spbOf(g));
    ok(keep >= Math.min(written.length, (blocksOf(g) - 2) * spbOf(g) + 1), "history bound");
    const have = new Set(all.map((r) => r.record.seq));
    const missing = written.slice(written.length - keep).filter((s) => !have.has(s));
    eq(missing, [], "recent writes missing");
  }
}

function runScenario(g: Geo, actions: Action[], init?: Init): void {
  const flash = init ? init.flash : newFlash(g.geometry);
  const m = init ? init.model : new Model(g);
  let b = bootBoard(flash, g.recordSize, OPTS);
  if (init) m.remount();
  checkMount(b, m, false);
  checkAll(b, m, g);
  const pu = g.geometry.progUnit;

  actions.forEach((a, index) => {
    try {
      step(a);
    } catch (e) {
      // Name the action that broke an invariant (fast-check prints the whole sequence).
      if (e instanceof Error)
        e.message = "after action #" + index + " " + show(a) + ": " + e.message;
      throw e;
    }
  });

  function step(a: Action): void {
    switch (a.t) {
      case "console":
        b.ring.write(a.bytes);
        m.ring.write(a.bytes);
        break;
      case "panic": {
        const exp = expectedDump(g.recordSize, a.ctx, m.ring);
        const uptime = b.sched.nowMs >>> 0;
        const time = Math.floor((EPOCH_MS + b.sched.nowMs) / 1000);
        const before = flash.stats;
        const done = b.log.panic(a.ctx);
        const after = flash.stats;
        // 5: a panic never erases, and programs at most its own bytes plus the commit unit.
        eq(after.erases - before.erases, 0, "erases during panic");
        const maxBytes = alignUp(HEADER_SIZE + exp.payload.length, pu) + Math.max(4, pu);
        ok(
          after.programBytes - before.programBytes <= maxBytes,
          "panic programmed " + (after.programBytes - before.programBytes) + " bytes > " + maxBytes,
        );
        // The panic fails (lost) only when the erase-ahead of the block it needs is pending.
        eq(done, !m.eraseNeeded, "panic result");
        if (done)
          m.write({ reason: Reason.PANIC, flags: exp.flags, uptime, time, payload: exp.payload });
        else {
          m.bootLost++;
          eq(after.programBytes, before.programBytes, "bytes programmed by a lost panic");
        }
        break;
      }
      case "dump": {
        const extra = a.unexpected ? 4 : 0;
        const exp = expectedDump(g.recordSize, a.ctx, m.ring, extra);
        const uptime = b.sched.nowMs >>> 0;
        const time = Math.floor((EPOCH_MS + b.sched.nowMs) / 1000);
        const queued = b.log.dump(a.reason, a.ctx, extra);
        eq(queued, m.pending.length < 2, "dump result");
        if (queued)
          m.pending.push({
            reason: a.reason,
            flags: exp.flags,
            uptime,
            time,
            payload: exp.payload,
          });
        else m.bootLost++;
        if (a.run) {
          b.sched.runAll();
          m.runJobs();
        }
        break;
      }
      case "run":
        b.sched.runAll();
        m.runJobs();
        break;
      case "remount": {
        const pendingErase = m.eraseNeeded;
        b = bootBoard(flash, g.recordSize, OPTS);
        m.remount();
        checkMount(b, m, pendingErase);
        break;
      }
      case "clear": {
        const nw = m.newest();
        const upto = ((nw ? nw.seq : m.nextSeq - 1) + a.delta) >>> 0;
        const slot = b.log.nextSlot;
        const seq = b.log.nextSeq;
        eq(b.log.clear(upto), m.clear(upto), "clear(" + upto + ") count");
        // 4: clear never moves the write point or breaks seq continuity.
        eq(b.log.nextSlot, slot, "write point after clear");
        eq(b.log.nextSeq, seq, "nextSeq after clear");
        break;
      }
      case "time":
        b.sched.nowMs += a.ms;
        break;
    }
    checkAll(b, m, g);
  }
}

// ---------------------------------------------------------------- properties 1-5 (and 6 at each remount)

describe.each(GEOS)("CrashLog vs. model, $name", (g) => {
  it("random writes, remounts, clears, console output and wraps keep the invariants", () => {
    fc.assert(
      fc.property(
        fc.array(actionArb(g), { minLength: 1, maxLength: 120, size: "max" }),
        (actions) => {
          runScenario(g, actions);
        },
      ),
      { numRuns: 100 },
    );
  });
});

// A deterministic long run per geometry: several wraps, every action kind.
describe("CrashLog vs. model, long fixed runs", () => {
  it.each(GEOS)("$name: 400 random actions", (g) => {
    const actions = fc.sample(fc.array(actionArb(g), { minLength: 400, maxLength: 400 }), {
      numRuns: 1,
      seed: 42,
    })[0]!;
    runScenario(g, actions);
  });
});

// ---------------------------------------------------------------- 6: mount cost

describe("mount cost on large partitions (property 6)", () => {
  const big: Geo[] = [
    {
      name: "64 KB, 4 KB blocks, 256 B records (256 slots)",
      geometry: { size: 65536, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff },
      recordSize: 256,
    },
    {
      name: "128 KB, 8 KB blocks, 128 B records (1024 slots)",
      geometry: { size: 131072, eraseSize: 8192, progUnit: 4, pageSize: 256, erasedValue: 0xff },
      recordSize: 128,
    },
  ];
  it.each(big)("$name: O(log N) headers after random numbers of writes and wraps", (g) => {
    const n = slotsOf(g);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            writes: fc.integer({ min: 0, max: Math.floor(n * 1.7) }),
            panicShare: fc.integer({ min: 0, max: 3 }),
          }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        (segments) => {
          const flash = newFlash(g.geometry);
          let b = bootBoard(flash, g.recordSize, OPTS);
          let total = 0;
          for (const s of segments) {
            for (let i = 0; i < s.writes; i++) {
              // A clean reboot now and then: the per-boot cap is at most 1000 records.
              if (i % 800 === 799) b = bootBoard(flash, g.recordSize, OPTS);
              // Panic or dump, then the jobs: a clean sequence (erase-ahead always done).
              const done = i % 4 < s.panicShare ? b.log.panic("{}") : b.log.dump(Reason.OOPS, "{}");
              ok(done, "write " + total + " refused");
              b.sched.runAll();
              total++;
            }
            const erases = flash.stats.erases;
            b = bootBoard(flash, g.recordSize, OPTS);
            expect(flash.stats.erases, "a clean mount erases nothing").toBe(erases);
            expect(b.info.fullScan).toBe(false);
            expect(b.info.headersRead).toBeLessThanOrEqual(mountBound(n, b.log.blocks));
            expect(b.info.newestSeq).toBe(total === 0 ? -1 : total);
            expect(b.info.nextSeq).toBe(total + 1);
            expect(b.info.nextSlot).toBe(total % n);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});

// ---------------------------------------------------------------- 7: seq wrap

/**
 * A clean partition image crafted with encodeRecord: the current lap (base L) in slots
 * [0, w), the erased gap from w to the end of its block (the whole block when w is a block
 * start), and when `wrapped`, the previous lap (base L - slots) after the gap.
 */
function crafted(g: Geo, L: number, w: number, wrapped: boolean): Init {
  const n = slotsOf(g);
  const spb = spbOf(g);
  const m = new Model(g);
  const image = new Uint8Array(g.geometry.size).fill(0xff);
  const gapEnd = w % spb === 0 ? w + spb : (Math.floor(w / spb) + 1) * spb;
  const put = (slot: number, seq: number): void => {
    const ctx = new TextEncoder().encode('{"c":' + slot + "}");
    const payload = buildPayload(ctx, new Uint8Array(0));
    const h = {
      seq,
      boot: 5,
      reason: Reason.OOPS,
      flags: 0,
      time: 0,
      uptime: 1000,
      payloadLength: payload.length,
      rawLength: payload.length,
    };
    image.set(craftRecord(h, payload, g.geometry.progUnit), slot * g.recordSize);
    m.slots[slot] = {
      seq,
      slot,
      boot: 5,
      reason: Reason.OOPS,
      flags: 0,
      time: 0,
      uptime: 1000,
      payload,
      freed: false,
    };
  };
  for (let i = 0; i < w; i++) put(i, (L + i) >>> 0);
  if (wrapped) for (let i = gapEnd; i < n; i++) put(i, (L - n + i) >>> 0);
  m.nextSlot = w % n;
  m.nextSeq = (L + w) >>> 0;
  // The model's history: the records in seq order (ring order from the write point).
  m.writtenSeqs = m.listing().map((r) => r.seq);
  return { flash: newFlash(g.geometry, { image }), model: m };
}

describe.each(GEOS)("seq wrap across 0xFFFFFFFF (property 7), $name", (g) => {
  it("order stays right and mount stays on the fast path", () => {
    const n = slotsOf(g);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * n }),
        fc.integer({ min: 0, max: n - 1 }),
        fc.boolean(),
        fc.array(actionArb(g), { minLength: 1, maxLength: 60, size: "max" }),
        (off, w0, wrapped, actions) => {
          const w = !wrapped && w0 === 0 ? 1 : w0; // an unwrapped image holds at least one record
          const L = (0xfffffff0 - off) >>> 0;
          const init = crafted(g, L, w, wrapped);
          runScenario(g, actions, init);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("a long run from 0xFFFFFFF0 crosses zero with the fast path at every mount", () => {
    const n = slotsOf(g);
    const init = crafted(g, 0xfffffff0, 1, false);
    const flash = init.flash;
    let b = bootBoard(flash, g.recordSize, OPTS);
    expect(b.info.fullScan).toBe(false);
    const seen: number[] = [];
    for (let i = 0; i < Math.max(3 * n + 5, 24); i++) {
      expect(b.log.panic("{}")).toBe(true);
      seen.push((0xfffffff0 + 1 + i) >>> 0);
      b.sched.runAll();
      if (i % 3 === 2) {
        b = bootBoard(flash, g.recordSize, OPTS);
        expect(b.info.fullScan).toBe(false);
        expect(b.info.newestSeq).toBe(seen[seen.length - 1]);
        expect(b.info.headersRead).toBeLessThanOrEqual(mountBound(n, b.log.blocks));
      }
    }
    const seqs = list(b.log, true).map((r) => r.record.seq);
    expect(serialOrderProblem(seqs)).toBe("");
    expect(seqs[seqs.length - 1]).toBe(seen[seen.length - 1]);
    expect(seen).toContain(0); // the run did cross zero
  });
});
