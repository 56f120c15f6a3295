// A simulated NOR flash partition: the host-side Flash every test and the power-loss sweep
// run the log on.
//
// Host-only (it imports node:fs for images). Modelled on littlefs's emulated block device
// (littlefs-project/littlefs, bd/lfs_emubd.c: erase value, wear limit with bad-block
// behaviours, power-cycle counting with a power-loss callback):
// - it holds the contract of src/core/flash.ts strictly, refusing every misuse with
//   EINVAL, and in strict mode refuses a program onto bytes that are not erased;
// - it counts operations and bytes, and erase cycles per block;
// - it charges each operation the time of a real part (src/boards/parts.ts) to a simulated
//   clock;
// - it injects faults from a seeded PRNG, so that a failing scenario replays exactly:
//   power cuts (clean or torn), failing or silently dead blocks, wear-out, read bit flips;
// - it forks cheaply (`clone`): blocks are copy-on-write, so a sweep can branch a state.
//
// Semantics of a program: a bit can only move away from its erased state. With the usual
// erasedValue 0xFF that is an AND of the data into the flash (1 -> 0); with 0x00 (as some
// simulators and littlefs tests use) it is an OR. In general:
//   new = e ^ ((old ^ e) | (data ^ e))   where e = erasedValue.

import { readFileSync, writeFileSync } from "node:fs";
import { crc32 } from "../core/crc32.js";
import { checkGeometry, flashError } from "../core/flash.js";
import type { Flash, FlashGeometry } from "../core/flash.js";
import { getPart } from "../boards/parts.js";
import type { FlashPart, Timing } from "../boards/parts.js";
import { Prng } from "./prng.js";

/** Operation and byte counters since construction or the last `resetStats()`. */
export interface FlashStats {
  reads: number;
  readBytes: number;
  programs: number;
  programBytes: number;
  erases: number;
  eraseBytes: number;
}

export interface SimulatedNorFlashOptions {
  geometry: FlashGeometry;
  /** A part name from src/boards/parts.ts or a FlashPart; default "linux-file". */
  part?: string | FlashPart | undefined;
  /** Which figure of the part the clock is charged; default "typical". */
  timing?: Timing | undefined;
  /**
   * Refuse (EINVAL) a program onto any byte that is not erasedValue, as littlefs's emubd
   * asserts. Without it, a program onto programmed bytes combines with them (AND on 0xFF
   * flash), the rule Espruino's Flash.write has.
   */
  strict?: boolean | undefined;
  /** Seed of the fault PRNG; default 0x5eed. Same seed + options + operations = same result. */
  seed?: number | undefined;
  /** Initial contents, `geometry.size` bytes (copied); default all erased. */
  image?: Uint8Array | undefined;
  /**
   * Erase cycles a block survives: once its wear has reached this number, every further
   * erase of it fails (EIO, block left with random bytes) and its wear stays there, as in
   * emubd's `erase_cycles`. 0 or absent: blocks never wear out.
   */
  enduranceCycles?: number | undefined;
  /**
   * Offer crc32(addr, len) (src/core/flash.ts), as a backend that can checksum the medium
   * in place does (the Storage-file one): the CRC-32 of read(addr, len), so that read
   * faults reach it as they reach the log's other reads. Default false: the log then reads
   * the bytes and checksums them itself.
   */
  checksums?: boolean | undefined;
}

/** How an operation that a power cut interrupts ends. */
export type PowerCutMode = "clean" | "torn";

export interface PowerCutSpec {
  /**
   * Cut after this many more program or erase operations (counted from this call; reads
   * do not count): that many complete, and the next one is interrupted. 0 interrupts the
   * next one.
   */
  ops?: number | undefined;
  /**
   * Cut at this absolute simulated time (the `elapsedUs` clock). A program, erase or read
   * running at that instant is interrupted; if the clock passes it between operations
   * (`advance`), the power is simply off from then on.
   */
  atUs?: number | undefined;
  /**
   * "clean": the interrupted operation has no effect. "torn": a program lands a random
   * subset of the bits it would have changed; an erase leaves its block with random bytes
   * (see `randomizeBlock`). An interrupted read returns nothing either way.
   */
  mode: PowerCutMode;
}

/** What the last power cut interrupted. */
export interface PowerCutInfo {
  /** Simulated time of the cut. */
  atUs: number;
  /** The interrupted operation, or "idle" when the clock reached the cut between operations. */
  op: "program" | "erase" | "read" | "idle";
  /** Address of the interrupted operation (-1 when idle). */
  addr: number;
  /** `opsCount` before the interrupted operation: its 0-based index among programs and erases. */
  opIndex: number;
  mode: PowerCutMode;
}

/** What a failing block does: throw EIO (after damaging its range) or silently do nothing. */
export type BlockFailureMode = "error" | "noop";

export interface BlockFailureSpec {
  /** Erases of the block fail. (When neither `erase` nor `program` is given, both fail.) */
  erase?: boolean | undefined;
  /** Programs into the block fail. */
  program?: boolean | undefined;
  /** Default "error". */
  mode?: BlockFailureMode | undefined;
}

interface BlockFailure {
  erase: boolean;
  program: boolean;
  mode: BlockFailureMode;
}

/**
 * The error thrown while the simulated power is off. Deliberately not a FlashError (its
 * code is "EPOWER", which `isFlashError` rejects): on a real device nothing is thrown, the
 * program just stops, so code under test must not catch it as a flash failure.
 */
export interface PowerCutError extends Error {
  code: "EPOWER";
}

export function powerCutError(message: string): PowerCutError {
  const error = new Error(message) as PowerCutError;
  error.name = "PowerCutError";
  error.code = "EPOWER";
  return error;
}

export function isPowerCut(value: unknown): value is PowerCutError {
  return typeof value === "object" && value !== null && (value as PowerCutError).code === "EPOWER";
}

const DEFAULT_SEED = 0x5eed;

function hex(n: number): string {
  return "0x" + n.toString(16);
}

function emptyStats(): FlashStats {
  return { reads: 0, readBytes: 0, programs: 0, programBytes: 0, erases: 0, eraseBytes: 0 };
}

export class SimulatedNorFlash implements Flash {
  readonly geometry: FlashGeometry;
  readonly part: FlashPart;
  readonly timing: Timing;
  readonly strict: boolean;
  readonly seed: number;
  readonly enduranceCycles: number;
  readonly blockCount: number;
  /** Present with the `checksums` option. */
  readonly crc32?: (addr: number, len: number) => number;

  // Contents, one array per erase block, copy-on-write: a block whose `owned` flag is 0
  // may be shared with clones (or be the shared all-erased block) and is copied before
  // its first write. Erasing a block points it back at the shared erased block.
  private blocks: Uint8Array[];
  private owned: Uint8Array;
  private erasedBlock: Uint8Array;

  private wearCounts: Uint32Array;
  private counters: FlashStats = emptyStats();
  private clock = 0;
  private ops = 0;
  private prng: Prng;

  private poweredOn = true;
  private cutAtOps = -1; // opsCount value at which the next program/erase is interrupted
  private cutAtUs = Infinity;
  private cutMode: PowerCutMode = "clean";
  private lastCut: PowerCutInfo | undefined = undefined;

  private failures = new Map<number, BlockFailure>();
  private flipProbability = 0;

  // Timing of the chosen part and column, precomputed.
  private readonly progSetupUs: number;
  private readonly progPerByteUs: number;
  private readonly readSetupUs: number;
  private readonly readPerByteUs: number;
  private readonly eraseCostUs: number;

  constructor(options: SimulatedNorFlashOptions) {
    const g = options.geometry;
    const problem = checkGeometry(g);
    if (problem !== "") throw new RangeError("SimulatedNorFlash: " + problem);
    this.geometry = Object.freeze({
      size: g.size,
      eraseSize: g.eraseSize,
      progUnit: g.progUnit,
      pageSize: g.pageSize,
      erasedValue: g.erasedValue,
    });
    const part = options.part ?? "linux-file";
    this.part = typeof part === "string" ? getPart(part) : part;
    this.timing = options.timing ?? "typical";
    if (this.timing !== "typical" && this.timing !== "worst") {
      throw new RangeError('SimulatedNorFlash: timing must be "typical" or "worst"');
    }
    this.strict = options.strict ?? false;
    this.seed = options.seed ?? DEFAULT_SEED;
    this.prng = new Prng(this.seed);
    const endurance = options.enduranceCycles ?? 0;
    if (!(Number.isInteger(endurance) && endurance >= 0)) {
      throw new RangeError(
        "SimulatedNorFlash: enduranceCycles must be a non-negative integer, got " + endurance,
      );
    }
    this.enduranceCycles = endurance;
    if (options.checksums) this.crc32 = (addr, len) => crc32(this.read(addr, len));

    const figures = this.timing === "worst" ? this.part.worst : this.part.typical;
    this.progSetupUs = figures.programSetupUs;
    this.progPerByteUs = figures.programPerByteUs;
    this.readSetupUs = figures.readSetupUs;
    this.readPerByteUs = figures.readPerByteUs;
    this.eraseCostUs = this.part.eraseUs(g.eraseSize, this.timing);

    this.blockCount = g.size / g.eraseSize;
    this.erasedBlock = new Uint8Array(g.eraseSize).fill(g.erasedValue);
    this.blocks = new Array<Uint8Array>(this.blockCount).fill(this.erasedBlock);
    this.owned = new Uint8Array(this.blockCount);
    this.wearCounts = new Uint32Array(this.blockCount);

    const image = options.image;
    if (image !== undefined) {
      if (image.length !== g.size) {
        throw new RangeError(
          "SimulatedNorFlash: image is " + image.length + " bytes, geometry.size is " + g.size,
        );
      }
      for (let b = 0; b < this.blockCount; b++) {
        const start = b * g.eraseSize;
        let erased = true;
        for (let i = start; i < start + g.eraseSize; i++) {
          if (image[i] !== g.erasedValue) {
            erased = false;
            break;
          }
        }
        if (!erased) {
          this.blocks[b] = image.slice(start, start + g.eraseSize);
          this.owned[b] = 1;
        }
      }
    }
  }

  // ---------------------------------------------------------------- Flash interface

  read(addr: number, len: number): Uint8Array {
    this.checkPower("read", addr);
    const size = this.geometry.size;
    if (!Number.isInteger(addr) || !Number.isInteger(len) || addr < 0 || len < 0) {
      throw flashError("EINVAL", "read: bad address " + addr + " or length " + len);
    }
    if (addr + len > size) {
      throw flashError(
        "EINVAL",
        "read: range " + hex(addr) + "+" + len + " outside the partition (" + size + " bytes)",
      );
    }
    this.counters.reads++;
    this.counters.readBytes += len;
    const start = this.clock;
    const duration = this.readSetupUs + this.readPerByteUs * len;
    if (start + duration > this.cutAtUs) {
      this.cut("read", addr, this.cutAtUs);
      throw powerCutError("power cut during read at " + hex(addr) + " (t=" + this.clock + " us)");
    }
    this.clock = start + duration;
    const out = this.copyOut(addr, len);
    if (this.flipProbability > 0 && len > 0 && this.prng.next() < this.flipProbability) {
      const bit = this.prng.int(len * 8);
      out[bit >>> 3] = (out[bit >>> 3] as number) ^ (1 << (bit & 7));
    }
    this.checkIdleCut();
    return out;
  }

  program(addr: number, data: Uint8Array): void {
    this.checkPower("program", addr);
    const { size, progUnit, pageSize, eraseSize, erasedValue } = this.geometry;
    const len = data.length;
    if (!Number.isInteger(addr) || addr < 0 || addr + len > size) {
      throw flashError(
        "EINVAL",
        "program: range " + addr + "+" + len + " outside the partition (" + size + " bytes)",
      );
    }
    if (addr % progUnit !== 0 || len % progUnit !== 0) {
      throw flashError(
        "EINVAL",
        `program: address ${hex(addr)} and length ${len} must be multiples of progUnit ${progUnit}`,
      );
    }
    // A program that crosses a page boundary is refused. A real SPI NOR part (W25Q) would
    // wrap around to the start of the same page and silently overwrite it; refusing here
    // makes the caller's bug show up at once instead of as corrupt data much later.
    if (len > 0 && Math.floor(addr / pageSize) !== Math.floor((addr + len - 1) / pageSize)) {
      throw flashError(
        "EINVAL",
        `program: range ${hex(addr)}+${len} crosses a ${pageSize}-byte page boundary`,
      );
    }
    if (len === 0) return;
    const b = Math.floor(addr / eraseSize);
    const off = addr - b * eraseSize;
    let block = this.blocks[b] as Uint8Array;
    if (this.strict) {
      for (let i = 0; i < len; i++) {
        const v = block[off + i] as number;
        if (v !== erasedValue) {
          throw flashError(
            "EINVAL",
            "program: byte at " + hex(addr + i) + " is " + hex(v) + ", not erased (strict mode)",
          );
        }
      }
    }

    const opIndex = this.ops++;
    this.counters.programs++;
    this.counters.programBytes += len;
    const start = this.clock;
    const duration = this.progSetupUs + this.progPerByteUs * len;
    const byOps = opIndex === this.cutAtOps;
    if (byOps || start + duration > this.cutAtUs) {
      const mode = this.cutMode;
      this.cut("program", addr, byOps ? start : this.cutAtUs);
      if (mode === "torn") this.programSome(b, off, data);
      throw powerCutError(
        "power cut during program at " + hex(addr) + " (" + mode + ", t=" + this.clock + " us)",
      );
    }
    this.clock = start + duration;

    const failure = this.failures.get(b);
    if (failure !== undefined && failure.program) {
      if (failure.mode === "error") {
        this.programSome(b, off, data);
        this.checkIdleCut();
        throw flashError("EIO", "program: block " + b + " failed at " + hex(addr));
      }
      this.checkIdleCut();
      return;
    }

    block = this.writable(b);
    const e = erasedValue;
    for (let i = 0; i < len; i++) {
      const j = off + i;
      block[j] = e ^ (((block[j] as number) ^ e) | ((data[i] as number) ^ e));
    }
    this.checkIdleCut();
  }

  erase(addr: number): void {
    this.checkPower("erase", addr);
    const { size, eraseSize } = this.geometry;
    if (!Number.isInteger(addr) || addr < 0 || addr >= size) {
      throw flashError(
        "EINVAL",
        "erase: address " + addr + " outside the partition (" + size + " bytes)",
      );
    }
    if (addr % eraseSize !== 0) {
      throw flashError(
        "EINVAL",
        "erase: address " + hex(addr) + " is not a multiple of eraseSize " + eraseSize,
      );
    }
    const b = addr / eraseSize;
    const opIndex = this.ops++;
    this.counters.erases++;
    this.counters.eraseBytes += eraseSize;
    const start = this.clock;
    const duration = this.eraseCostUs;
    const byOps = opIndex === this.cutAtOps;
    if (byOps || start + duration > this.cutAtUs) {
      const mode = this.cutMode;
      this.cut("erase", addr, byOps ? start : this.cutAtUs);
      if (mode === "torn") {
        this.randomizeBlock(b);
        this.addWear(b);
      }
      throw powerCutError(
        "power cut during erase of block " + b + " (" + mode + ", t=" + this.clock + " us)",
      );
    }
    this.clock = start + duration;

    const failure = this.failures.get(b);
    if (failure !== undefined && failure.erase) {
      if (failure.mode === "error") {
        this.randomizeBlock(b);
        this.addWear(b);
        this.checkIdleCut();
        throw flashError("EIO", "erase: block " + b + " failed");
      }
      this.checkIdleCut();
      return;
    }
    if (this.enduranceCycles > 0 && (this.wearCounts[b] as number) >= this.enduranceCycles) {
      this.randomizeBlock(b);
      this.checkIdleCut();
      throw flashError(
        "EIO",
        "erase: block " + b + " is worn out (" + this.enduranceCycles + " cycles)",
      );
    }
    this.blocks[b] = this.erasedBlock;
    this.owned[b] = 0;
    this.addWear(b);
    this.checkIdleCut();
  }

  // ---------------------------------------------------------------- counters and wear

  /** A snapshot of the counters. */
  get stats(): FlashStats {
    return { ...this.counters };
  }

  /** Zeroes the counters of `stats` (not wear, the clock or `opsCount`). */
  resetStats(): void {
    this.counters = emptyStats();
  }

  /**
   * Programs and erases that reached the medium (valid arguments, power on), including
   * failed and interrupted ones; reads and refused (EINVAL) calls are not counted. Run a
   * workload once and read this to know how many cut points a power-loss sweep has.
   */
  get opsCount(): number {
    return this.ops;
  }

  /**
   * Erase cycles of block `block` (an index, not an address): successful, torn and
   * failing (EIO) erases count; a clean power cut, a "noop" failure and an erase refused
   * because the block is worn out do not.
   */
  wear(block: number): number {
    this.checkBlock(block);
    return this.wearCounts[block] as number;
  }

  wearArray(): number[] {
    return Array.from(this.wearCounts);
  }

  /** Sets a block's wear, e.g. to bring it near `enduranceCycles` without erasing it so often. */
  setWear(block: number, cycles: number): void {
    this.checkBlock(block);
    if (!(Number.isInteger(cycles) && cycles >= 0)) {
      throw new RangeError("setWear: cycles must be a non-negative integer, got " + cycles);
    }
    this.wearCounts[block] = cycles;
  }

  // ---------------------------------------------------------------- clock

  /** Simulated time spent in flash operations (plus `advance`), in microseconds. */
  get elapsedUs(): number {
    return this.clock;
  }

  /** Same as `elapsedUs`. */
  get clockUs(): number {
    return this.clock;
  }

  /**
   * Moves the simulated clock on by `us` (time spent elsewhere, e.g. by a virtual
   * scheduler sharing this clock). If it passes a pending `atUs` power cut, the power goes
   * off; nothing is thrown here, the next operation throws.
   */
  advance(us: number): void {
    if (!(us >= 0 && Number.isFinite(us))) {
      throw new RangeError("advance: us must be a finite non-negative number, got " + us);
    }
    this.clock += us;
    this.checkIdleCut();
  }

  // ---------------------------------------------------------------- faults

  /**
   * Arms a power cut (replacing any pending one). The operation that hits it is
   * interrupted as `mode` says and throws a PowerCutError; every later read, program or
   * erase throws one too until `powerOn()`. Contents persist. With both `ops` and `atUs`,
   * whichever comes first cuts. The cut fires once.
   */
  cutPowerAfter(spec: PowerCutSpec): void {
    const { ops, atUs, mode } = spec;
    if (ops === undefined && atUs === undefined) {
      throw new RangeError("cutPowerAfter: give ops, atUs or both");
    }
    if (ops !== undefined && !(Number.isInteger(ops) && ops >= 0)) {
      throw new RangeError("cutPowerAfter: ops must be a non-negative integer, got " + ops);
    }
    if (atUs !== undefined && !(atUs >= 0)) {
      throw new RangeError("cutPowerAfter: atUs must be a non-negative number, got " + atUs);
    }
    if (mode !== "clean" && mode !== "torn") {
      throw new RangeError('cutPowerAfter: mode must be "clean" or "torn"');
    }
    this.cutAtOps = ops === undefined ? -1 : this.ops + ops;
    this.cutAtUs = atUs ?? Infinity;
    this.cutMode = mode;
    if (this.poweredOn) this.checkIdleCut();
  }

  /** Disarms a pending power cut (does not restore power; see `powerOn`). */
  cancelPowerCut(): void {
    this.cutAtOps = -1;
    this.cutAtUs = Infinity;
  }

  /** Restores power after a cut. Contents, wear, stats and the clock persist. */
  powerOn(): void {
    this.poweredOn = true;
  }

  /** False from a power cut until `powerOn()`. */
  get powered(): boolean {
    return this.poweredOn;
  }

  /** What the last power cut interrupted, if there was one. */
  get lastPowerCut(): PowerCutInfo | undefined {
    return this.lastCut === undefined ? undefined : { ...this.lastCut };
  }

  /**
   * Makes block `block` (an index) fail. "error": the operation throws EIO after damaging
   * its range (an erase leaves the block with random bytes, a program lands a random
   * subset of its bits). "noop": the operation silently does nothing; only a read-back
   * shows it. Replaces an earlier failure of the block.
   */
  failBlock(block: number, spec: BlockFailureSpec = {}): void {
    this.checkBlock(block);
    const both = spec.erase === undefined && spec.program === undefined;
    const mode = spec.mode ?? "error";
    if (mode !== "error" && mode !== "noop") {
      throw new RangeError('failBlock: mode must be "error" or "noop"');
    }
    this.failures.set(block, {
      erase: both || spec.erase === true,
      program: both || spec.program === true,
      mode,
    });
  }

  /** Removes a `failBlock` failure (not wear-out). */
  healBlock(block: number): void {
    this.checkBlock(block);
    this.failures.delete(block);
  }

  /**
   * Bit flips on read: each read call, with probability `probability`, flips one random
   * bit of the copy it returns (the stored data is unchanged). 0 turns flips off.
   */
  readFlips(spec: { probability: number }): void {
    const p = spec.probability;
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError("readFlips: probability must be in [0, 1], got " + p);
    }
    this.flipProbability = p;
  }

  // ---------------------------------------------------------------- images and forks

  /** A copy of the whole contents, whatever the power state; no counters or time. */
  toImage(): Uint8Array {
    return this.copyOut(0, this.geometry.size);
  }

  /** A copy of `len` bytes at `addr`, out of band: no counters, time, flips or power check. */
  peek(addr: number, len: number): Uint8Array {
    if (
      !Number.isInteger(addr) ||
      !Number.isInteger(len) ||
      addr < 0 ||
      len < 0 ||
      addr + len > this.geometry.size
    ) {
      throw new RangeError("peek: range " + addr + "+" + len + " outside the partition");
    }
    return this.copyOut(addr, len);
  }

  static fromImage(
    image: Uint8Array,
    options: Omit<SimulatedNorFlashOptions, "image">,
  ): SimulatedNorFlash {
    return new SimulatedNorFlash({ ...options, image });
  }

  /** Writes the contents to a file (a raw image, `geometry.size` bytes). */
  saveImage(path: string): void {
    writeFileSync(path, this.toImage());
  }

  /** A flash whose contents are the raw image in file `path`. */
  static loadImage(
    path: string,
    options: Omit<SimulatedNorFlashOptions, "image">,
  ): SimulatedNorFlash {
    const buffer = readFileSync(path);
    const image = new Uint8Array(buffer.length);
    image.set(buffer);
    return new SimulatedNorFlash({ ...options, image });
  }

  /**
   * An independent deep copy: contents, wear, stats, clock, opsCount, PRNG state, pending
   * cut, power state and failures. Costs O(blocks): contents are shared copy-on-write.
   */
  clone(): SimulatedNorFlash {
    const c = new SimulatedNorFlash({
      geometry: this.geometry,
      part: this.part,
      timing: this.timing,
      strict: this.strict,
      seed: this.seed,
      enduranceCycles: this.enduranceCycles,
    });
    this.owned.fill(0);
    c.blocks = this.blocks.slice();
    c.erasedBlock = this.erasedBlock;
    c.wearCounts = this.wearCounts.slice();
    c.counters = { ...this.counters };
    c.clock = this.clock;
    c.ops = this.ops;
    c.prng.state = this.prng.state;
    c.poweredOn = this.poweredOn;
    c.cutAtOps = this.cutAtOps;
    c.cutAtUs = this.cutAtUs;
    c.cutMode = this.cutMode;
    c.lastCut = this.lastCut === undefined ? undefined : { ...this.lastCut };
    for (const [block, failure] of this.failures) c.failures.set(block, { ...failure });
    c.flipProbability = this.flipProbability;
    return c;
  }

  // ---------------------------------------------------------------- internals

  private checkPower(op: string, addr: number): void {
    if (!this.poweredOn) {
      throw powerCutError(op + " at " + addr + ": the power is off (call powerOn())");
    }
  }

  private checkBlock(block: number): void {
    if (!(Number.isInteger(block) && block >= 0 && block < this.blockCount)) {
      throw new RangeError(
        "block must be an index in 0.." + (this.blockCount - 1) + ", got " + block,
      );
    }
  }

  /** Powers off at the pending `atUs` cut if the clock has reached it. */
  private checkIdleCut(): void {
    if (this.clock >= this.cutAtUs) this.cut("idle", -1, this.cutAtUs);
  }

  private cut(op: PowerCutInfo["op"], addr: number, atUs: number): void {
    this.lastCut = {
      atUs,
      op,
      addr,
      opIndex: op === "program" || op === "erase" ? this.ops - 1 : this.ops,
      mode: this.cutMode,
    };
    if (atUs > this.clock) this.clock = atUs;
    this.poweredOn = false;
    this.cutAtOps = -1;
    this.cutAtUs = Infinity;
  }

  private writable(b: number): Uint8Array {
    let block = this.blocks[b] as Uint8Array;
    if (this.owned[b] === 0) {
      block = block.slice();
      this.blocks[b] = block;
      this.owned[b] = 1;
    }
    return block;
  }

  private copyOut(addr: number, len: number): Uint8Array {
    if (len === 0) return new Uint8Array(0);
    const e = this.geometry.eraseSize;
    let b = Math.floor(addr / e);
    let off = addr - b * e;
    if (off + len <= e) {
      return (this.blocks[b] as Uint8Array).slice(off, off + len);
    }
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const n = Math.min(e - off, len - done);
      out.set((this.blocks[b] as Uint8Array).subarray(off, off + n), done);
      done += n;
      b++;
      off = 0;
    }
    return out;
  }

  /**
   * A torn or failed program: each bit the program would change lands with probability
   * 1/2, independently.
   */
  private programSome(b: number, off: number, data: Uint8Array): void {
    const block = this.writable(b);
    const e = this.geometry.erasedValue;
    const noise = this.prng.bytes(data.length);
    for (let i = 0; i < data.length; i++) {
      const j = off + i;
      const old = block[j] as number;
      const full = e ^ ((old ^ e) | ((data[i] as number) ^ e));
      block[j] = old ^ ((old ^ full) & (noise[i] as number));
    }
  }

  /**
   * A torn or failed erase. The block is left part-way: a random progress p in [0, 1) is
   * drawn, then each byte independently is erasedValue with probability p and a random
   * byte otherwise. A real NOR erase pre-programs, then pulses cells toward 1, so an
   * interrupted one can leave bits moved either way; this covers the cases a reader must
   * survive, from "looks erased but a few bytes are not" (p near 1) to garbage (p near 0).
   */
  private randomizeBlock(b: number): void {
    const size = this.geometry.eraseSize;
    const e = this.geometry.erasedValue;
    const block = new Uint8Array(size);
    const progress = this.prng.next();
    this.prng.fill(block);
    for (let i = 0; i < size; i++) {
      if (this.prng.next() < progress) block[i] = e;
    }
    this.blocks[b] = block;
    this.owned[b] = 1;
  }

  private addWear(b: number): void {
    const w = this.wearCounts[b] as number;
    if (this.enduranceCycles === 0 || w < this.enduranceCycles) this.wearCounts[b] = w + 1;
  }
}

/**
 * Programs `data` at `addr` as Espruino's Flash.write does: an unaligned start or end is
 * widened to whole program units (the padding is 0xFF, which leaves bits as they are), and
 * the program is split at page boundaries.
 */
export function programAligned(flash: SimulatedNorFlash, addr: number, data: Uint8Array): void {
  if (!data.length) return;
  const u = flash.geometry.progUnit;
  const ps = flash.geometry.pageSize;
  const a0 = Math.floor(addr / u) * u;
  const a1 = Math.ceil((addr + data.length) / u) * u;
  const buf = new Uint8Array(a1 - a0).fill(0xff);
  buf.set(data, addr - a0);
  for (let p = a0; p < a1;) {
    const e = Math.min(a1, (Math.floor(p / ps) + 1) * ps);
    flash.program(p, buf.subarray(p - a0, e - a0));
    p = e;
  }
}
