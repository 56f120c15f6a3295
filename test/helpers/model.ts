// Helpers for the property tests (test/log-property.test.ts, test/log-faults-property.test.ts)
// and the power-loss sweep (test/powerloss/sweep.ts):
// geometries, a mirror of the console ring, the payload a dump is expected to store, a
// booting helper that keeps the MountInfo, flash instrumentation (step budget, erase log),
// and checks on a listing.

import { CrashLog } from "../../src/core/log.js";
import type { LogOptions, MountInfo, SlotRecord } from "../../src/core/log.js";
import { crc32 } from "../../src/core/crc32.js";
import type { Flash, FlashGeometry } from "../../src/core/flash.js";
import {
  COMMIT_VALUE,
  Flags,
  HEADER_SIZE,
  MAX_PAYLOAD,
  buildPayload,
  decodeRecord,
  encodeRecord,
  putU32,
} from "../../src/core/record.js";
import type { RecordHeader } from "../../src/core/record.js";
import { ConsoleRing } from "../../src/core/ring.js";
import { seqDiff, seqNewer } from "../../src/core/seq.js";
import { heatshrinkCompress } from "../../src/codec/heatshrink.js";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import type { SimulatedNorFlashOptions } from "../../src/sim/nor-flash.js";
import { VirtualScheduler } from "../../src/sim/virtual-scheduler.js";

export const EPOCH_MS = 1_764_115_200_000;

export const RING_SIZE = 2048;

export interface Geo {
  name: string;
  geometry: FlashGeometry;
  recordSize: number;
}

function geo(
  name: string,
  blocks: number,
  eraseSize: number,
  progUnit: number,
  pageSize: number,
  recordSize: number,
): Geo {
  return {
    name,
    geometry: { size: blocks * eraseSize, eraseSize, progUnit, pageSize, erasedValue: 0xff },
    recordSize,
  };
}

/** The geometries the property tests run on: blocks x eraseSize, progUnit, pageSize, recordSize (2 to 4 blocks, program units 1 to 8, 1 to 8 records per block). */
export const GEOS: Geo[] = [
  geo("4x4096 rs1024 pu1 pg256", 4, 4096, 1, 256, 1024),
  geo("3x4096 rs4096 pu4 pg4096", 3, 4096, 4, 4096, 4096),
  geo("4x512 rs128 pu2 pg256", 4, 512, 2, 256, 128),
  geo("2x2048 rs256 pu8 pg256", 2, 2048, 8, 256, 256),
];

export function slotsOf(g: Geo): number {
  return g.geometry.size / g.recordSize;
}
export function spbOf(g: Geo): number {
  return g.geometry.eraseSize / g.recordSize;
}
export function blocksOf(g: Geo): number {
  return g.geometry.size / g.geometry.eraseSize;
}

export function alignUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit;
}

/** A byte-for-byte mirror of ConsoleRing, kept by the test independently of the log. */
export class RingMirror {
  bytes: number[] = [];
  written = 0;
  constructor(readonly capacity: number) {}
  write(b: Uint8Array): void {
    this.written += b.length;
    for (const x of b) this.bytes.push(x);
    if (this.bytes.length > this.capacity)
      this.bytes = this.bytes.slice(this.bytes.length - this.capacity);
  }
  tail(n: number): Uint8Array {
    return Uint8Array.from(this.bytes.slice(Math.max(0, this.bytes.length - n)));
  }
  clear(): void {
    this.bytes = [];
    this.written = 0;
  }
}

export interface ExpectedDump {
  context: Uint8Array;
  console: Uint8Array;
  /** The uncompressed payload: u16 context length, context, console. */
  payload: Uint8Array;
  flags: number;
}

/**
 * What the writer stores for `context` with the ring as `ring` holds it, without compression
 * (the context is cut to max(room/2, min(room-2, 64)) bytes, 8 bits per char; the console is
 * the newest bytes that fit; TRUNCATED when older console bytes exist).
 */
export function expectedDump(
  recordSize: number,
  context: string,
  ring: RingMirror,
  extraFlags = 0,
): ExpectedDump {
  const room = recordSize - HEADER_SIZE;
  const maxCtx = Math.max(room >> 1, Math.min(room - 2, 64));
  const ctxLen = Math.min(context.length, maxCtx);
  const ctx = new Uint8Array(ctxLen);
  for (let i = 0; i < ctxLen; i++) ctx[i] = context.charCodeAt(i) & 255;
  const rawRoom = Math.min(MAX_PAYLOAD, room) - 2 - ctxLen;
  const cons = ring.tail(rawRoom);
  let flags = extraFlags;
  if (cons.length < ring.bytes.length || ring.written > ring.bytes.length) flags |= Flags.TRUNCATED;
  return { context: ctx, console: cons, payload: buildPayload(ctx, cons), flags };
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function hexBytes(a: Uint8Array, max = 64): string {
  return (
    Array.from(a.subarray(0, max), (x) => x.toString(16).padStart(2, "0")).join("") +
    (a.length > max ? "…" : "")
  );
}

export interface Board<F extends Flash = SimulatedNorFlash> {
  flash: F;
  sched: VirtualScheduler;
  ring: ConsoleRing;
  log: CrashLog;
  info: MountInfo;
}

export type LogExtras = Partial<Omit<LogOptions, "flash" | "scheduler" | "clock" | "ring">>;

/** Boots a board on `flash` (fresh RAM: ring, scheduler) and keeps what mount() returned. */
export function bootBoard<F extends Flash = SimulatedNorFlash>(
  flash: F,
  recordSize: number,
  extras: LogExtras = {},
  ringSize = RING_SIZE,
  epochMs = EPOCH_MS,
): Board<F> {
  const sched = new VirtualScheduler(epochMs);
  const ring = new ConsoleRing(ringSize);
  const log = new CrashLog({
    flash,
    recordSize,
    scheduler: sched,
    clock: sched,
    ring,
    ...extras,
  } as LogOptions);
  const info = log.mount();
  return { flash, sched, ring, log, info };
}

/** Heatshrink as the board's console compression, as the firmware configures it (quirks included). */
export const HEATSHRINK: LogExtras = { compress: (d) => heatshrinkCompress(d) };

/**
 * Log options for tests that want many records quickly: no crash-loop guard, up to 1000
 * records a boot, heatshrink as the board's console compression (without its quirks).
 */
export const MANY_RECORDS_COMPRESSED: LogExtras = {
  loopThreshold: 0,
  maxRecordsPerBoot: 1000,
  compress: (d) => heatshrinkCompress(d, { espruinoQuirks: false }),
};

export function newFlash(
  g: FlashGeometry,
  opts: Partial<SimulatedNorFlashOptions> = {},
): SimulatedNorFlash {
  return new SimulatedNorFlash({ geometry: g, strict: true, ...opts });
}

export class BudgetExceeded extends Error {}

export interface Probe {
  /** Flash calls (read, program, erase) since instrument(). */
  ops: number;
  /** Every erase call, in order: block index and the probe's `clock` when it was made. */
  erases: { block: number; at: number }[];
  /** A counter the test advances (one per action); erases are stamped with it. */
  clock: number;
  budget: number;
}

/**
 * Wraps the flash's methods (on this instance) to count calls and throw BudgetExceeded past
 * `budget` of them (a log that loops forever fails the test instead of hanging it), and to
 * log every erase call, failed or not.
 */
export function instrument(flash: SimulatedNorFlash, budget: number): Probe {
  const probe: Probe = { ops: 0, erases: [], clock: 0, budget };
  const read = flash.read.bind(flash);
  const program = flash.program.bind(flash);
  const erase = flash.erase.bind(flash);
  const tick = (): void => {
    if (++probe.ops > probe.budget)
      throw new BudgetExceeded("step budget of " + probe.budget + " flash calls exceeded");
  };
  flash.read = (addr: number, len: number): Uint8Array => {
    tick();
    return read(addr, len);
  };
  flash.program = (addr: number, data: Uint8Array): void => {
    tick();
    program(addr, data);
  };
  flash.erase = (addr: number): void => {
    tick();
    probe.erases.push({ block: Math.floor(addr / flash.geometry.eraseSize), at: probe.clock });
    erase(addr);
  };
  return probe;
}

export function list(log: CrashLog, withFreed: boolean): SlotRecord[] {
  const out: SlotRecord[] = [];
  log.forEach((r) => out.push(r), withFreed);
  return out;
}

/** A message when the seqs are not strictly increasing in serial order, else "". */
export function serialOrderProblem(seqs: number[]): string {
  for (let i = 1; i < seqs.length; i++) {
    if (!seqNewer(seqs[i] as number, seqs[i - 1] as number))
      return (
        "seq " +
        seqs[i] +
        " (index " +
        i +
        ") is not newer than " +
        seqs[i - 1] +
        " in " +
        JSON.stringify(seqs)
      );
  }
  return "";
}

/** Decodes slot `slot` from the flash out of band (no counters, no flips). */
export function peekRecord(flash: SimulatedNorFlash, recordSize: number, slot: number) {
  // src/core/crc32.ts (zlib's CRC-32), not the CRC the log under test was given.
  return decodeRecord(
    flash.peek(slot * recordSize, recordSize),
    recordSize,
    flash.geometry.erasedValue,
    crc32,
  );
}

/** Bytes of a committed record for slot crafting: encodeRecord plus the commit word. */
export function craftRecord(h: RecordHeader, payload: Uint8Array, progUnit: number): Uint8Array {
  const b = encodeRecord(h, payload, progUnit, crc32);
  putU32(b, 0, COMMIT_VALUE);
  return b;
}

/** True when `a` is newer than every seq in `seqs` (RFC 1982). */
export function newerThanAll(a: number, seqs: Iterable<number>): boolean {
  for (const s of seqs) if (!seqNewer(a, s)) return false;
  return true;
}

export { seqDiff, seqNewer };

/** Context strings carry an id the fault tests read back: {"id":N,...}. */
export function idOf(context: Uint8Array): number {
  const s = String.fromCharCode(...context.subarray(0, 24));
  const m = /^\{"id":(\d+)/.exec(s);
  return m ? Number(m[1]) : -1;
}

// Cheap assertions for hot loops: vitest's expect costs ~0.1 ms a call, and the property
// runs make hundreds of thousands of checks. They throw a plain Error that fast-check
// reports with the counterexample.
export class PropertyViolation extends Error {}

function show(v: unknown): string {
  return typeof v === "string"
    ? JSON.stringify(v)
    : JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? hexBytes(x) : x));
}

export function eq<T>(actual: T, expected: T, what: string): void {
  const same =
    actual === expected ||
    (typeof actual === "object" &&
      actual !== null &&
      typeof expected === "object" &&
      show(actual) === show(expected));
  if (!same)
    throw new PropertyViolation(what + ": expected " + show(expected) + ", got " + show(actual));
}

export function ok(cond: boolean, what: string): void {
  if (!cond) throw new PropertyViolation(what);
}
