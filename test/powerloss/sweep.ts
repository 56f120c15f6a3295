// The power-loss sweep: a standard workload (several wraps of the ring, both write paths,
// clears, reboots) is cut at every flash operation, cleanly and torn, over several
// geometries and seeds. After each cut the log is remounted on a copy of the flash and
// checked:
//   - every record committed before the cut is readable, unless its block was erased ahead
//     of the write point (a legitimate rotation: the erase did not touch the newest record);
//   - no record is accepted that the workload did not write, byte for byte;
//   - records freed before the cut read freed, records never freed read live;
//   - the log keeps working: two more records are written and read back after a remount.
//
// How: the workload runs once per (geometry, seed) on a flash wrapped to watch every program
// and erase. Before each one, the sweep forks the flash (copy-on-write), cuts the power on the
// fork during that same operation, and checks the fork. So N operations give 2N scenarios
// in O(N) work.
//
// `npm run test:powerloss` runs the full sweep and prints one summary line:
//   powerloss: <scenarios> scenarios, <lost> lost, <corrupt> corrupt accepted

import { crc32 } from "../../src/core/crc32.js";
import type { Flash, FlashGeometry } from "../../src/core/flash.js";
import {
  COMMIT_VALUE,
  OFF_COMMIT,
  OFF_FREED,
  Reason,
  getU32,
  splitPayload,
} from "../../src/core/record.js";
import { seqNewer } from "../../src/core/seq.js";
import { SimulatedNorFlash, isPowerCut } from "../../src/sim/nor-flash.js";
import { Prng } from "../../src/sim/prng.js";
import { bootBoard } from "../helpers/model.js";
import type { Board } from "../helpers/model.js";

export interface SweepGeometry {
  name: string;
  geometry: FlashGeometry;
  recordSize: number;
}

export const GEOMETRIES: SweepGeometry[] = [
  {
    name: "spi-nor 4K/256 prog1, 1K records",
    geometry: { size: 4 * 4096, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff },
    recordSize: 1024,
  },
  {
    name: "nrf52 4K prog4, 4K records",
    geometry: { size: 3 * 4096, eraseSize: 4096, progUnit: 4, pageSize: 4096, erasedValue: 0xff },
    recordSize: 4096,
  },
  {
    name: "small 512 prog4, 128 records",
    geometry: { size: 4 * 512, eraseSize: 512, progUnit: 4, pageSize: 256, erasedValue: 0xff },
    recordSize: 128,
  },
  {
    name: "stm32l4 2K prog8, 512 records (2 blocks)",
    geometry: { size: 2 * 2048, eraseSize: 2048, progUnit: 8, pageSize: 2048, erasedValue: 0xff },
    recordSize: 512,
  },
  {
    name: "linux 1K pages prog4, 256 records",
    geometry: { size: 6 * 1024, eraseSize: 1024, progUnit: 4, pageSize: 1024, erasedValue: 0xff },
    recordSize: 256,
  },
  {
    name: "spi-nor 4K prog1, 64 records",
    geometry: { size: 3 * 4096, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff },
    recordSize: 64,
  },
];

export interface SweepOptions {
  geometries?: SweepGeometry[];
  seeds?: number[];
  /** Workload length in records, as a multiple of the slot count (default 3: three wraps). */
  laps?: number;
  /** Test hook: damage each fork after the cut, to prove the checks can fail. */
  sabotage?: "erase-newest" | "forge-record";
}

export interface SweepResult {
  scenarios: number;
  lost: number;
  corrupt: number;
  /** The first few failures, for a human. */
  failures: string[];
}

interface Written {
  id: string;
  seq: number;
  slot: number;
  block: number;
  /** Index of the operation that completed its commit. */
  committedAt: number;
  /** Erase that legitimately removed it, or -1. */
  rotatedAt: number;
  /** Its freed program: -1 never, else the op index that started it. */
  freeStarted: number;
  freeDone: boolean;
}

/** A Flash that lets the sweep look at each program and erase before it happens. */
class WatchedFlash implements Flash {
  readonly geometry: FlashGeometry;
  ops = 0;
  constructor(
    readonly inner: SimulatedNorFlash,
    private readonly before: (
      kind: "program" | "erase",
      addr: number,
      data: Uint8Array | null,
      op: number,
    ) => void,
    private readonly after: (
      kind: "program" | "erase",
      addr: number,
      data: Uint8Array | null,
      op: number,
    ) => void,
  ) {
    this.geometry = inner.geometry;
  }
  read(addr: number, len: number): Uint8Array {
    return this.inner.read(addr, len);
  }
  program(addr: number, data: Uint8Array): void {
    const op = this.ops++;
    this.before("program", addr, data, op);
    this.inner.program(addr, data);
    this.after("program", addr, data, op);
  }
  erase(addr: number): void {
    const op = this.ops++;
    this.before("erase", addr, null, op);
    this.inner.erase(addr);
    this.after("erase", addr, null, op);
  }
}

const LOG_OPTS = { maxRecordsPerBoot: 1000, loopThreshold: 0 };

/** Mounts the log on `flash` with fresh RAM (ring, scheduler), as a boot does. */
function mountOn(flash: Flash, recordSize: number): Board<Flash> {
  return bootBoard(flash, recordSize, LOG_OPTS, 512);
}

function contextOf(payload: Uint8Array): string {
  const p = splitPayload(payload);
  return p ? new TextDecoder().decode(p.context) : "";
}

export function runSweep(options: SweepOptions = {}): SweepResult {
  const result: SweepResult = { scenarios: 0, lost: 0, corrupt: 0, failures: [] };
  const fail = (msg: string): void => {
    if (result.failures.length < 20) result.failures.push(msg);
  };
  for (const g of options.geometries ?? GEOMETRIES) {
    for (const seed of options.seeds ?? [1, 2, 3]) {
      sweepOne(g, seed, options, result, fail);
    }
  }
  return result;
}

function sweepOne(
  g: SweepGeometry,
  seed: number,
  options: SweepOptions,
  result: SweepResult,
  fail: (msg: string) => void,
): void {
  const rs = g.recordSize;
  const slotsPerBlock = g.geometry.eraseSize / rs;
  const slots = g.geometry.size / rs;
  const blocks = g.geometry.size / g.geometry.eraseSize;
  const primary = new SimulatedNorFlash({
    geometry: g.geometry,
    strict: true,
    seed,
    part: "w25q128jv",
  });
  const rng = new Prng(seed * 7919);
  const written: Written[] = [];
  const bySlot = new Map<number, Written>();
  const intended = new Map<string, string>(); // id -> context, every dump the workload attempted
  let newest: Written | undefined;

  const check = (
    op: number,
    kind: "program" | "erase",
    addr: number,
    data: Uint8Array | null,
    mode: "clean" | "torn",
  ): void => {
    result.scenarios++;
    const fork = primary.clone();
    fork.cutPowerAfter({ ops: 0, mode });
    try {
      if (kind === "program") fork.program(addr, data as Uint8Array);
      else fork.erase(addr);
    } catch (e) {
      if (!isPowerCut(e)) throw e;
    }
    fork.powerOn();
    const where = `${g.name} seed ${seed} op ${op} (${kind} @${addr}, ${mode})`;
    if (options.sabotage === "erase-newest" && newest)
      fork.erase(newest.block * g.geometry.eraseSize);
    if (options.sabotage === "forge-record" && newest) {
      // Rewrite the newest record's context with a valid CRC: a record the workload never wrote.
      forge(fork, newest.slot * rs);
    }
    let m;
    try {
      m = mountOn(fork, rs);
    } catch (e) {
      result.lost++;
      fail(`${where}: mount threw ${(e as Error).message}`);
      return;
    }
    // What the fork holds.
    const seen = new Map<string, { seq: number; freed: boolean }>();
    m.log.forEach((r) => {
      const ctx = contextOf(r.record.payload);
      const id = /"id":"([^"]+)"/.exec(ctx)?.[1] ?? "";
      if (intended.get(id) !== ctx || seen.has(id)) {
        result.corrupt++;
        fail(
          `${where}: accepted a record that was not written: seq ${r.record.seq} context ${ctx.slice(0, 60)}`,
        );
        return;
      }
      const w = written.find((x) => x.id === id);
      if (w && w.seq !== r.record.seq) {
        result.corrupt++;
        fail(`${where}: record ${id} came back with seq ${r.record.seq}, written as ${w.seq}`);
      }
      seen.set(id, { seq: r.record.seq, freed: r.record.freed });
    }, true);
    for (const w of written) {
      if (w.committedAt >= op) continue; // not committed before the cut
      if (w.rotatedAt >= 0 && w.rotatedAt <= op) continue; // erased ahead: legitimate
      // The block after the newest record's is the next to be erased ahead; a remount after
      // a cut may do it (a cut between a write and its erase-ahead job, or a torn last slot).
      if (newest && w.block === (newest.block + 1) % blocks && w !== newest) continue;
      const s = seen.get(w.id);
      if (!s) {
        result.lost++;
        fail(`${where}: committed record ${w.id} (seq ${w.seq}, slot ${w.slot}) is gone`);
      } else if (s.freed && w.freeStarted < 0) {
        result.lost++;
        fail(`${where}: record ${w.id} reads freed but was never cleared`);
      } else if (!s.freed && w.freeDone && w.freeStarted < op) {
        result.lost++; // a revived record is not a loss, but it breaks the clear contract
        fail(`${where}: record ${w.id} was freed but reads live`);
      }
    }
    // The log keeps working after the cut.
    const before = m.log.stats.written;
    m.ring.write("after the cut\r\n");
    m.log.panic('{"id":"A1"}');
    m.sched.runAll();
    m.log.dump(Reason.OOPS, '{"id":"A2"}');
    m.sched.runAll();
    if (m.log.stats.written - before !== 2) {
      result.lost++;
      fail(
        `${where}: after remount the log wrote ${m.log.stats.written - before} of 2 records (state ${m.log.state})`,
      );
      return;
    }
    const again = mountOn(fork, rs);
    const ids: string[] = [];
    again.log.forEach((r) => ids.push(contextOf(r.record.payload)));
    if (ids.slice(-2).join() !== '{"id":"A1"},{"id":"A2"}') {
      result.lost++;
      fail(
        `${where}: records written after the cut are not the newest: ${ids.slice(-3).join(" ")}`,
      );
    }
  };

  const before = (
    kind: "program" | "erase",
    addr: number,
    data: Uint8Array | null,
    op: number,
  ): void => {
    if (kind === "erase") {
      // An erase may legitimately remove the records of its block, provided it does not
      // touch the newest committed record.
      const block = addr / g.geometry.eraseSize;
      if (!newest || newest.block !== block) {
        for (const w of written)
          if (w.block === block && w.rotatedAt < 0 && w.committedAt < op) w.rotatedAt = op;
      }
    } else if (data && addr % rs === OFF_FREED) {
      const w = bySlot.get(Math.floor(addr / rs));
      if (w && w.rotatedAt < 0) w.freeStarted = op;
    }
    check(op, kind, addr, data, "clean");
    check(op, kind, addr, data, "torn");
  };

  const after = (
    kind: "program" | "erase",
    addr: number,
    data: Uint8Array | null,
    op: number,
  ): void => {
    if (
      kind === "program" &&
      data &&
      addr % rs === OFF_COMMIT &&
      getU32(data, 0) === COMMIT_VALUE
    ) {
      const slot = addr / rs;
      const rec = primary.peek(slot * rs, rs);
      const seq = getU32(rec, 28);
      const ctx = contextOf(rec.subarray(48, 48 + (rec[44]! | (rec[45]! << 8))));
      const id = /"id":"([^"]+)"/.exec(ctx)?.[1] ?? "?";
      const w: Written = {
        id,
        seq,
        slot,
        block: Math.floor(slot / slotsPerBlock),
        committedAt: op,
        rotatedAt: -1,
        freeStarted: -1,
        freeDone: false,
      };
      written.push(w);
      bySlot.set(slot, w);
      newest = w;
    } else if (kind === "program" && addr % rs === OFF_FREED) {
      const w = bySlot.get(Math.floor(addr / rs));
      if (w && w.freeStarted >= 0) w.freeDone = true;
    }
  };

  const flash = new WatchedFlash(primary, before, after);
  let dev = mountOn(flash, rs);
  const total = Math.ceil(slots * (options.laps ?? 3)) + 4;
  for (let i = 0; i < total; i++) {
    const id = seed.toString(36) + "." + i.toString(36);
    const context = `{"id":"${id}"}`;
    intended.set(id, context);
    dev.ring.write(`step ${i} `.repeat(1 + rng.int(40)) + "\r\n");
    const action = rng.next();
    if (action < 0.4) {
      dev.log.panic(context);
      if (rng.next() < 0.7) dev.sched.runAll(); // else the erase-ahead job is still pending
    } else {
      dev.log.dump(Reason.OOPS, context);
      dev.sched.runAll();
    }
    const extra = rng.next();
    if (extra < 0.15 && newest) {
      // The host saved everything up to a record and clears it.
      dev.log.clear(rng.next() < 0.5 ? newest.seq : (newest.seq - 2) >>> 0);
    } else if (extra < 0.3) {
      dev = mountOn(flash, rs); // reboot: RAM and pending jobs are gone
    }
  }
  void seqNewer;
}

/** Rewrites a committed record's context in place on a fork (strict mode off for the test). */
function forge(fork: SimulatedNorFlash, base: number): void {
  const rec = fork.peek(base, 64);
  const img = fork.toImage();
  // Change the first context byte after the quote of "id":"  -> a record nobody wrote,
  // then fix the CRC so only the content check can catch it.
  const at = base + 48 + 2 + 7;
  img[at] = (img[at]! ^ 0x01) & 0xff;
  void rec;
  const len = img[base + 44]! | (img[base + 45]! << 8);
  const crcRange = img.subarray(base + 24, base + 48 + len);
  const crc = crc32(crcRange);
  img[base + 20] = crc & 255;
  img[base + 21] = (crc >>> 8) & 255;
  img[base + 22] = (crc >>> 16) & 255;
  img[base + 23] = (crc >>> 24) & 255;
  const copy = SimulatedNorFlash.fromImage(img, { geometry: fork.geometry });
  // Replace the fork's contents: erase every block and program the forged image back.
  for (let b = 0; b < fork.geometry.size / fork.geometry.eraseSize; b++)
    fork.erase(b * fork.geometry.eraseSize);
  const page = fork.geometry.pageSize;
  for (let a = 0; a < fork.geometry.size; a += page) {
    const chunk = copy.peek(a, page);
    if (chunk.some((x) => x !== 0xff)) fork.program(a, chunk);
  }
}

function main(): void {
  const full = process.argv.includes("--quick")
    ? runSweep({ seeds: [1] })
    : runSweep({ seeds: Array.from({ length: 24 }, (_, i) => i + 1) });
  for (const f of full.failures) console.error("  " + f);
  console.log(
    `powerloss: ${full.scenarios} scenarios, ${full.lost} lost, ${full.corrupt} corrupt accepted`,
  );
  process.exitCode = full.lost === 0 && full.corrupt === 0 && full.scenarios > 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href) main();
