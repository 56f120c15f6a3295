// A minimal Espruino interpreter environment in Node, for the virtual board
// (src/sim/virtual-board.ts): the API surface a firmware bundle and a host tool touch,
// backed by a SimulatedNorFlash, run in a node:vm context. Host-only.
//
// What is modelled (each after Espruino 2v29's source, src/jsinteractive.c and friends):
// - the idle loop: IO events first (console input to the REPL, other devices' 'data'
//   handlers), then due timers, then error flags ('errorFlag' and "New interpreter error"),
//   then pending reset()/load()/E.reboot(), then the prompt;
// - the REPL: echo, "=result", the ">" prompt, "\r\x1B[J" before asynchronous output,
//   DLE (0x10) turning echo off for one line, Ctrl-C clearing the line, lines with open
//   brackets continued, uncaught errors reported as "Uncaught Error: ..." unless
//   process.on('uncaughtException') handlers take them;
// - console devices: the host link (USB, or Bluetooth on nRF52 boards), Serial1, LoopbackA
//   and LoopbackB (bytes written to one arrive asynchronously as the other's 'data'
//   events, through a bounded input FIFO that raises FIFO_FULL when it overflows),
//   E.setConsole / E.getConsole / Serial.setConsole, Bluetooth connect and disconnect;
// - require("Flash") over the board's chip, the partition backed by the SimulatedNorFlash;
//   require("Storage") with Espruino's pre-allocation semantics (VirtualStorage), the
//   "storage" backend's files backed by the SimulatedNorFlash; require("heatshrink");
//   a W25Q-like SPI NOR on the board's SPI pins; peek32/poke32 with nRF52 RESETREAS;
//   ESP8266.getResetInfo(); boot files .bootPowerOn, .boot0-3, .bootcde / .bootrst.
// - a power cut (the SimulatedNorFlash losing power) halts the interpreter at once: every
//   native call then throws, and the idle loop stops.
//
// Not modelled: the JavaScript dialect (the vm runs full modern JavaScript: the
// interpreter tier, npm run test:espruino, and scripts/check-dialect.ts cover that), JsVar
// memory (process.memory() reports fixed figures), the one-second console "Limbo" after a
// power-on, interrupting busy JavaScript with Ctrl-C, watchdog timeouts (the virtual board
// simulates a watchdog reset on request), pins other than the SPI flash's.

import vm from "node:vm";
import type { BoardDefinition } from "../boards/schema.js";
import { heatshrinkCompress, heatshrinkDecompress } from "../codec/heatshrink.js";
import { crc32 } from "../core/crc32.js";
import { isPowerCut, powerCutError } from "./nor-flash.js";
import type { SimulatedNorFlash } from "./nor-flash.js";

export const ESPRUINO_VERSION = "2v29";

// ---------------------------------------------------------------- bytes

/** Bytes as an 8-bit string (Espruino strings are bytes). */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 255;
  return out;
}

function isArrayBuffer(v: unknown): v is ArrayBuffer {
  return Object.prototype.toString.call(v) === "[object ArrayBuffer]";
}

/** Espruino's "as char array": strings, numbers, arrays, typed arrays, ArrayBuffers, {data,count}. */
export function asBytes(v: unknown): Uint8Array {
  if (typeof v === "string") return fromLatin1(v);
  if (typeof v === "number") return Uint8Array.of(v & 255);
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView || Object.prototype.toString.call(v) === "[object DataView]")
      return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
    const arr = v as unknown as ArrayLike<number>;
    const out = new Uint8Array(arr.length);
    for (let i = 0; i < arr.length; i++) out[i] = (arr[i] as number) & 255;
    return out;
  }
  if (isArrayBuffer(v)) return new Uint8Array(v).slice();
  if (Array.isArray(v)) {
    const parts = v.map((x) => asBytes(x));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  if (typeof v === "object" && v !== null && "data" in v && "count" in v) {
    const one = asBytes((v as { data: unknown }).data);
    const n = Number((v as { count: unknown }).count) || 0;
    const out = new Uint8Array(one.length * n);
    for (let i = 0; i < n; i++) out.set(one, i * one.length);
    return out;
  }
  if (v === undefined || v === null) return new Uint8Array(0);
  return fromLatin1(String(v));
}

// ---------------------------------------------------------------- Storage

/** Files named prefix + N (N < the flash's blocks) keep their last eraseSize bytes in block N. */
export interface StorageBacking {
  prefix: string;
  flash: SimulatedNorFlash;
}

interface StorageFile {
  size: number;
  /** The bytes not on the backing flash: all of a plain file, the leading bytes of a backed one. */
  ram: Uint8Array;
  /** Backing block, or -1. */
  block: number;
}

/** Bytes each file costs in the Storage area besides its data (JsfFileHeader). */
const FILE_HEADER = 32;

/**
 * Espruino's Storage (src/jsflash.c, jsfWriteFile/jsfReadFile), persisting across the
 * virtual board's reboots. Writes follow the real rules:
 * - write(name, data) / write(name, data, 0, size) with no file, or a file of another size,
 *   or one that is not all 0xFF: a new file (the old one becomes trash); same size, all
 *   0xFF: the file is reused; the same size and exactly the same data: nothing happens;
 * - write(name, data, offset > 0): into the existing file, and only into bytes that are
 *   still 0xFF ("File already written with different data" otherwise);
 * - read(name, offset, length) clips to the file; length <= 0 reads to the end.
 * With a backing, files named prefix+N of at least the flash's erase size live on its
 * block N: creating one erases the block, writing programs it, reading reads it (so power
 * cuts, timing and faults of the SimulatedNorFlash apply to them).
 */
export class VirtualStorage {
  readonly totalBytes: number;
  backing: StorageBacking | undefined;
  private files = new Map<string, StorageFile>();
  private trash = 0;
  private trashFiles = 0;

  constructor(options: { totalBytes?: number; backing?: StorageBacking } = {}) {
    this.totalBytes = options.totalBytes ?? 256 * 1024;
    this.backing = options.backing;
  }

  list(): string[] {
    return [...this.files.keys()];
  }

  size(name: string): number | undefined {
    return this.files.get(name)?.size;
  }

  stats(): {
    totalBytes: number;
    freeBytes: number;
    fileBytes: number;
    fileCount: number;
    trashBytes: number;
    trashCount: number;
  } {
    let used = 0;
    for (const f of this.files.values()) used += f.size + FILE_HEADER;
    return {
      totalBytes: this.totalBytes,
      freeBytes: this.totalBytes - used - this.trash,
      fileBytes: used,
      fileCount: this.files.size,
      trashBytes: this.trash,
      trashCount: this.trashFiles,
    };
  }

  compact(): void {
    this.trash = 0;
    this.trashFiles = 0;
  }

  private backedBlock(name: string, size: number): number {
    const b = this.backing;
    if (!b || !name.startsWith(b.prefix)) return -1;
    const rest = name.slice(b.prefix.length);
    if (!/^[0-9]+$/.test(rest)) return -1;
    const n = Number(rest);
    return n < b.flash.blockCount && size >= b.flash.geometry.eraseSize ? n : -1;
  }

  private lead(f: StorageFile): number {
    return f.block < 0
      ? f.size
      : f.size - (this.backing as StorageBacking).flash.geometry.eraseSize;
  }

  /** Bytes [off, off+len) of a file, out of band for the flash part when `peek`. */
  private bytes(f: StorageFile, off: number, len: number, peek: boolean): Uint8Array {
    const out = new Uint8Array(len);
    const lead = this.lead(f);
    for (let i = 0; i < len && off + i < lead; i++) out[i] = f.ram[off + i] as number;
    if (off + len > lead) {
      const flash = (this.backing as StorageBacking).flash;
      const from = Math.max(off, lead);
      const base = f.block * flash.geometry.eraseSize + (from - lead);
      const n = off + len - from;
      out.set(peek ? flash.peek(base, n) : flash.read(base, n), from - off);
    }
    return out;
  }

  read(name: string, offset?: number, length?: number): Uint8Array | undefined {
    const f = this.files.get(name);
    if (!f) return undefined;
    let off = Math.max(0, Math.floor(offset ?? 0));
    let len = Math.floor(length ?? 0);
    if (len <= 0) len = f.size;
    if (off > f.size) off = f.size;
    if (off + len > f.size) len = f.size - off;
    if (len <= 0) return new Uint8Array(0);
    return this.bytes(f, off, len, false);
  }

  private erased(f: StorageFile, off: number, len: number): boolean {
    const b = this.bytes(f, off, len, true);
    for (let i = 0; i < b.length; i++) if (b[i] !== 0xff) return false;
    return true;
  }

  private remove(name: string): void {
    const f = this.files.get(name);
    if (!f) return;
    this.files.delete(name);
    this.trash += f.size + FILE_HEADER;
    this.trashFiles++;
  }

  private create(name: string, size: number): StorageFile {
    if (this.stats().freeBytes < size + FILE_HEADER) this.compact();
    if (this.stats().freeBytes < size + FILE_HEADER)
      throw new Error("Unable to find or create file");
    const block = this.backedBlock(name, size);
    const f: StorageFile = { size, block, ram: new Uint8Array(0) };
    f.ram = new Uint8Array(this.lead(f)).fill(0xff);
    // A new file's data lies in erased flash: on the backing that is an erase of the block.
    if (block >= 0) {
      const flash = (this.backing as StorageBacking).flash;
      flash.erase(block * flash.geometry.eraseSize);
    }
    this.files.set(name, f);
    return f;
  }

  /** Programs bytes into a file (AND, as flash): aligned and split as Espruino's jshFlashWriteAligned. */
  private program(f: StorageFile, off: number, data: Uint8Array): void {
    const lead = this.lead(f);
    for (let i = 0; i < data.length && off + i < lead; i++)
      f.ram[off + i] = (f.ram[off + i] as number) & (data[i] as number);
    if (off + data.length <= lead) return;
    const flash = (this.backing as StorageBacking).flash;
    const from = Math.max(off, lead);
    programAligned(
      flash,
      f.block * flash.geometry.eraseSize + (from - lead),
      data.subarray(from - off),
    );
  }

  write(name: string, data: Uint8Array, offset?: number, size?: number): boolean {
    const off = Math.floor(offset ?? 0);
    let sz = Math.floor(size ?? 0);
    if (off < 0 || sz < 0) return false;
    if (sz === 0) sz = data.length;
    if (!sz) throw new Error("Can't create zero length file");
    let f = this.files.get(name);
    if ((!f && off === 0) || (f && off === 0 && (sz !== f.size || !this.erased(f, 0, f.size)))) {
      if (f && off === 0 && sz === f.size && data.length === sz) {
        const cur = this.bytes(f, 0, sz, true);
        if (cur.every((b, i) => b === data[i])) return true;
      }
      if (f) this.remove(name);
      f = this.create(name, sz);
    }
    if (!f) throw new Error("Unable to find or create file");
    if (off + data.length > f.size) throw new Error("Too much data for file size");
    if (!this.erased(f, off, data.length))
      throw new Error("File already written with different data");
    this.program(f, off, data);
    return true;
  }

  erase(name: string): void {
    this.remove(name);
  }

  eraseAll(): void {
    for (const name of [...this.files.keys()]) this.remove(name);
    this.compact();
  }

  /** Host-side helpers. */
  readText(name: string): string | undefined {
    const b = this.read(name);
    return b === undefined ? undefined : latin1(b);
  }

  writeFile(name: string, data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? fromLatin1(data) : data;
    this.write(name, bytes, 0, bytes.length);
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

// ---------------------------------------------------------------- the SPI NOR chip

/** JEDEC ID of a Winbond W25Q128JV: manufacturer 0xEF, type 0x40, capacity 0x18 (16 MB). */
export const W25Q_JEDEC = [0xef, 0x40, 0x18];

/**
 * A W25Q-like SPI NOR flash answering whole transactions (one chip-select cycle each).
 * Chip addresses start..start+flash size are backed by the SimulatedNorFlash (4 KB sector
 * erase = one erase of its block: its eraseSize must be 4096); the rest reads 0xFF and
 * ignores programs. It starts in deep power-down: only 0xAB wakes it. Programs and erases
 * need a write enable (0x06) first, wrap within a 256-byte page as the real part does,
 * and leave the chip BUSY for the next status read.
 */
export class FakeW25Q {
  poweredDown = true;
  /** Fault injection: true makes the chip answer nothing (every byte reads 0xFF), as one unplugged or unpowered. */
  silent = false;
  private wel = false;
  private busyPolls = 0;
  /** Commands received, for tests. */
  readonly log: number[] = [];

  constructor(
    private readonly flash: SimulatedNorFlash,
    private readonly start: number,
  ) {}

  private inRange(a: number, n: number): boolean {
    return a >= this.start && a + n <= this.start + this.flash.geometry.size;
  }

  transfer(tx: Uint8Array): Uint8Array {
    const rx = new Uint8Array(tx.length).fill(0xff);
    const cmd = tx[0];
    if (cmd === undefined || this.silent) return rx;
    this.log.push(cmd);
    if (cmd === 0xab) {
      this.poweredDown = false;
      if (tx.length > 4) rx[4] = 0x17;
      return rx;
    }
    if (this.poweredDown) return rx;
    const addr = ((tx[1] ?? 0) << 16) | ((tx[2] ?? 0) << 8) | (tx[3] ?? 0);
    switch (cmd) {
      case 0xb9:
        this.poweredDown = true;
        break;
      case 0x9f:
        rx.set(W25Q_JEDEC.slice(0, tx.length - 1), 1);
        break;
      case 0x06:
        this.wel = true;
        break;
      case 0x04:
        this.wel = false;
        break;
      case 0x05: {
        const st = (this.busyPolls > 0 ? 1 : 0) | (this.wel ? 2 : 0);
        if (this.busyPolls > 0) this.busyPolls--;
        for (let i = 1; i < tx.length; i++) rx[i] = st;
        break;
      }
      case 0x03: {
        const n = tx.length - 4;
        if (n > 0 && this.inRange(addr, n)) rx.set(this.flash.read(addr - this.start, n), 4);
        break;
      }
      case 0x02: {
        if (!this.wel || this.busyPolls > 0) break;
        this.wel = false;
        this.busyPolls = 1;
        const data = tx.subarray(4);
        if (!data.length) break;
        // Bytes past the end of the 256-byte page wrap to its start (W25Q datasheet, Page Program).
        const page = addr & ~0xff;
        const first = Math.min(data.length, 256 - (addr & 0xff));
        const segs: Array<[number, Uint8Array]> = [[addr, data.subarray(0, first)]];
        if (data.length > first)
          segs.push([page, data.subarray(first, first + Math.min(256, data.length - first))]);
        for (const [a, d] of segs)
          if (this.inRange(a, d.length)) programAligned(this.flash, a - this.start, d);
        break;
      }
      case 0x20: {
        if (!this.wel || this.busyPolls > 0) break;
        this.wel = false;
        this.busyPolls = 2;
        const sector = addr & ~0xfff;
        if (this.inRange(sector, 4096)) {
          if (this.flash.geometry.eraseSize !== 4096)
            throw new Error("FakeW25Q: the backing flash must have 4 KB blocks");
          this.flash.erase(sector - this.start);
        }
        break;
      }
      default:
        break;
    }
    return rx;
  }
}

// ---------------------------------------------------------------- the interpreter

/** What the interpreter needs from the board around it (src/sim/virtual-board.ts). */
export interface ShimHost {
  readonly board: BoardDefinition;
  /** The partition (flash boards), the partition files (storage boards) or the chip's region (spinor boards). */
  readonly flash: SimulatedNorFlash;
  readonly storage: VirtualStorage;
  /** Milliseconds since this board was powered (virtual or real). */
  now(): number;
  /** Wall clock in ms for Date.now(): 0-based unless the time was set. */
  wallClock(): number;
  setWallClock(ms: number): void;
  /** Bytes the board sends to the host link. */
  output(text: string): void;
  /** nRF52 POWER->RESETREAS. */
  getResetreas(): number;
  setResetreas(value: number): void;
  /** ESP8266.getResetInfo().reason. */
  espResetReason(): string;
  /** Name of the host link device: "USB", "Bluetooth" or "Serial1". */
  readonly hostDevice: string;
  /** process.memory() flash fields (ARM boards), or undefined. */
  readonly memoryFlash:
    | {
        flash_start: number;
        flash_binary_end: number;
        flash_code_start: number;
        flash_length: number;
      }
    | undefined;
  /** process.env.STORAGE, or undefined. */
  readonly storageSize: number | undefined;
  /** Capacity of the IO event FIFO in bytes (loopback traffic counts against it). */
  readonly ioBufferBytes: number;
  /** E.reboot(): the board reboots after the current callback. */
  requestReboot(): void;
}

const ERROR_FLAGS = [
  "FIFO_FULL",
  "BUFFER_FULL",
  "CALLBACK",
  "LOW_MEMORY",
  "MEMORY",
  "MEMORY_BUSY",
  "UART_OVERFLOW",
];
const WARNINGS = 1 << ERROR_FLAGS.indexOf("LOW_MEMORY");

const BANNER =
  " ____                 _ \n|  __|___ ___ ___ _ _|_|___ ___ \n|  __|_ -| . |  _| | | |   | . |\n" +
  "|____|___|  _|_| |___|_|_|_|___|\n         |_| espruino.com\n " +
  ESPRUINO_VERSION +
  " (c) 2025 G.Williams (virtual board)\n\n";

/** Thrown through vm frames to stop everything when the power is cut. */
class Halt extends Error {
  constructor() {
    super("the board lost power");
    this.name = "Halt";
  }
}

export function isHalt(e: unknown): boolean {
  return e instanceof Halt || isPowerCut(e);
}

type Fn = (...args: unknown[]) => unknown;

interface Timer {
  id: number;
  due: number;
  period: number;
  fn: Fn | string;
  args: unknown[];
}

/** An Espruino-style event emitter: obj.on(event, fn), handlers called by the shim. */
class Emitter {
  listeners = new Map<string, Fn[]>();
  constructor(protected readonly shim: EspruinoShim) {}
  on(event: string, fn: Fn): void {
    const l = this.listeners.get(event) ?? [];
    l.push(fn);
    this.listeners.set(event, l);
  }
  removeListener(event: string, fn: Fn): void {
    const l = this.listeners.get(event);
    if (l)
      this.listeners.set(
        event,
        l.filter((f) => f !== fn),
      );
  }
  removeAllListeners(event?: string): void {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
  }
  has(event: string): boolean {
    return (this.listeners.get(event) ?? []).length > 0;
  }
  /** Calls the handlers, each through the shim (exceptions reported as uncaught). */
  emit(event: string, ...args: unknown[]): boolean {
    const l = (this.listeners.get(event) ?? []).slice();
    for (const f of l) this.shim.call(f, this, args);
    return l.length > 0;
  }
  /** The object the vm sees. */
  api(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return Object.assign(
      {
        on: (e: string, f: Fn) => this.on(e, f),
        addListener: (e: string, f: Fn) => this.on(e, f),
        removeListener: (e: string, f: Fn) => this.removeListener(e, f),
        removeAllListeners: (e?: string) => this.removeAllListeners(e),
        emit: (e: string, ...a: unknown[]) => this.emit(e, ...a),
      },
      extra,
    );
  }
}

/** A serial-like device. */
class Device extends Emitter {
  readonly obj: Record<string, unknown>;
  constructor(
    shim: EspruinoShim,
    readonly name: string,
  ) {
    super(shim);
    this.obj = this.api({
      write: (...data: unknown[]) => {
        shim.live();
        shim.deviceWrite(this.name, latin1(asBytes(data)));
      },
      print: (s: unknown) => {
        shim.live();
        shim.deviceWrite(this.name, String(s));
      },
      println: (s: unknown) => {
        shim.live();
        shim.deviceWrite(this.name, String(s) + "\r\n");
      },
      setConsole: (force?: boolean) => shim.setConsole(this.name, force === true),
      setup: () => undefined,
      toString: () => "[object Serial]",
    });
  }
}

/** Formats a value as the REPL prints it after "=". */
export function inspect(v: unknown): string {
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "function () { [code] }";
  if (typeof v === "string") return JSON.stringify(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const arr = v as unknown as ArrayLike<number>;
    return (
      "new " + (v.constructor?.name ?? "Uint8Array") + "([" + Array.from(arr).join(", ") + "])"
    );
  }
  try {
    const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === "function" ? undefined : x), 2);
    return s === undefined ? String(v) : s;
  } catch {
    return String(v);
  }
}

/** One interpreter: from a hardware boot to the next (reset()/load() happen inside it). */
export class EspruinoShim {
  readonly host: ShimHost;
  context!: vm.Context;
  private g!: Record<string, unknown>;
  private timers: Timer[] = [];
  private timerId = 0;
  private events: Array<{ device: string; data: string }> = [];
  private fifoBytes = 0;
  private devices = new Map<string, Device>();
  private E!: Emitter;
  private processEm!: Emitter;
  private nrf: Emitter | undefined;
  console: string | null;
  private consoleForced = false;
  private errorFlags = 0;
  private lastErrorFlags = 0;
  private todo: { kind: "reset" | "load" | "reboot"; file?: string | undefined } | undefined;
  // REPL state
  private inputLine = "";
  private inputLineRemoved = true;
  private echoOff = false;
  private echoOffForLine = false;
  private lastCR = false;
  private escState = 0;
  private flags: Record<string, number> = {};
  private memory = new Map<number, number>();
  private w25q: FakeW25Q | undefined;
  private bleConnected = true;
  private chipSparse = new Map<number, Uint8Array>();
  private halted = false;
  /** Set when a power cut stopped the interpreter. */
  get dead(): boolean {
    return this.halted || !this.host.flash.powered;
  }

  constructor(host: ShimHost, w25q?: FakeW25Q) {
    this.host = host;
    this.console = host.hostDevice;
    this.w25q = w25q;
    const names = [host.hostDevice, "Serial1", "LoopbackA", "LoopbackB"];
    if (host.board.resetReason === "nrf52" && host.hostDevice !== "Bluetooth")
      names.push("Bluetooth");
    for (const n of names) this.devices.set(n, new Device(this, n));
    this.newContext();
  }

  // ------------------------------------------------------------ plumbing

  /** Throws (stops the caller) when the board has no power. */
  live(): void {
    if (this.dead) {
      this.halted = true;
      throw powerCutError("the board has no power");
    }
  }

  /**
   * Calls a JavaScript function of the board as Espruino calls a callback: an exception is
   * reported (uncaughtException handlers, else "Uncaught ..."). A power cut propagates.
   */
  call(fn: unknown, self: unknown, args: unknown[]): unknown {
    if (typeof fn !== "function") return undefined;
    try {
      return (fn as Fn).apply(self, args);
    } catch (e) {
      this.uncaught(e);
      return undefined;
    } finally {
      this.checkErrors();
    }
  }

  /** Runs code in the board's global scope; exceptions reported as uncaught. */
  run(code: string, filename: string): unknown {
    this.live();
    try {
      return vm.runInContext(code, this.context, { filename });
    } catch (e) {
      this.uncaught(e);
      return undefined;
    } finally {
      this.checkErrors();
    }
  }

  private uncaught(e: unknown): void {
    if (isHalt(e) || this.dead) {
      this.halted = true;
      throw e instanceof Halt ? e : new Halt();
    }
    const handlers = (this.processEm.listeners.get("uncaughtException") ?? []).slice();
    if (handlers.length) {
      for (const h of handlers) {
        try {
          h.call(this.processEm, e);
        } catch (e2) {
          if (isHalt(e2) || this.dead) {
            this.halted = true;
            throw new Halt();
          }
          this.reportUncaught(e2);
        }
      }
      return;
    }
    this.reportUncaught(e);
  }

  private reportUncaught(e: unknown): void {
    let text = "Uncaught " + String(e) + "\n";
    const stack =
      typeof e === "object" && e !== null ? (e as { stack?: unknown }).stack : undefined;
    if (typeof stack === "string")
      text += stack
        .split("\n")
        .filter((l) => /^\s+at /.test(l))
        .map((l) => l + "\n")
        .join("");
    this.consolePrint(text);
  }

  /** Reports error flags raised since the last check (jsiCheckErrors). */
  private checkErrors(): void {
    if (this.dead || this.errorFlags === this.lastErrorFlags) return;
    const fresh = this.errorFlags & ~this.lastErrorFlags;
    if (fresh & ~WARNINGS) {
      const names = ERROR_FLAGS.filter((_n, i) => fresh & (1 << i));
      this.lastErrorFlags = this.errorFlags; // the handler may clear them (E.getErrorFlags)
      this.E.emit("errorFlag", names);
      this.consolePrint("New interpreter error: " + names.join(",") + "\n");
    }
    this.lastErrorFlags = this.errorFlags;
  }

  raiseErrorFlag(name: string): void {
    const i = ERROR_FLAGS.indexOf(name);
    if (i < 0)
      throw new Error("unknown error flag " + name + " (known: " + ERROR_FLAGS.join(", ") + ")");
    this.errorFlags |= 1 << i;
  }

  // ------------------------------------------------------------ console and devices

  /** Bytes written to a device: where they go. */
  deviceWrite(name: string, data: string): void {
    if (!data) return;
    if (name === "LoopbackA" || name === "LoopbackB") {
      const to = name === "LoopbackA" ? "LoopbackB" : "LoopbackA";
      const room = Math.max(0, this.host.ioBufferBytes - this.fifoBytes);
      let d = data;
      if (d.length > room) {
        d = d.slice(0, room);
        this.raiseErrorFlag("FIFO_FULL");
      }
      if (!d) return;
      this.fifoBytes += d.length;
      this.events.push({ device: to, data: d });
      return;
    }
    if (name === this.host.hostDevice) {
      if (name === "Bluetooth" && !this.bleConnected) return;
      this.host.output(data);
    }
    // Serial1 and others: nobody listens.
  }

  /** What the interpreter prints (jsiConsolePrintString: "\n" becomes "\r\n"). */
  private consoleRaw(text: string): void {
    if (this.console === null) return;
    this.deviceWrite(this.console, text.replace(/\n/g, "\r\n"));
  }

  private echo(): boolean {
    return !this.echoOff && !this.echoOffForLine;
  }

  /** Asynchronous output: removes the shown input line first, as jsiConsoleRemoveInputLine. */
  consolePrint(text: string): void {
    if (!this.inputLineRemoved) {
      this.inputLineRemoved = true;
      if (this.echo()) this.consoleRaw("\r\x1b[J");
    }
    this.consoleRaw(text);
  }

  private returnInputLine(): void {
    if (this.inputLineRemoved) {
      this.inputLineRemoved = false;
      if (this.echo()) this.consoleRaw(">" + this.inputLine.replace(/\n/g, "\n:"));
    }
  }

  setConsole(device: string | null, force: boolean): void {
    this.consoleForced = force;
    if (device === this.console) return;
    if (device !== null && !this.devices.has(device)) throw new Error("Unknown device " + device);
    const echo = this.echo();
    if (echo) this.consoleRaw("-> " + (device ?? "null") + "\n");
    const old = this.console;
    this.console = device;
    if (echo) this.consoleRaw("<- " + (old ?? "null") + "\n");
  }

  /** Bytes from the host link: queued as an IO event. */
  hostInput(text: string): void {
    this.events.push({ device: this.host.hostDevice, data: text });
  }

  bleConnect(): void {
    this.bleConnected = true;
    if (!this.consoleForced && this.host.hostDevice === "Bluetooth")
      this.setConsole("Bluetooth", false);
    if (this.nrf) this.events.push({ device: "#NRF", data: "connect" });
  }

  bleDisconnect(): void {
    this.bleConnected = false;
    if (!this.consoleForced && this.console === "Bluetooth") this.setConsole("Serial1", false);
    if (this.nrf) this.events.push({ device: "#NRF", data: "disconnect" });
  }

  // ------------------------------------------------------------ REPL

  private handleConsoleChars(data: string): void {
    for (const ch of data) {
      this.handleChar(ch);
      if (this.dead) return;
    }
  }

  private handleChar(ch: string): void {
    if (this.escState === 1) {
      this.escState = ch === "[" ? 2 : 0;
      return;
    }
    if (this.escState === 2) {
      if (ch >= "@" && ch <= "~") this.escState = 0;
      return;
    }
    const wasCR = this.lastCR;
    this.lastCR = ch === "\r";
    if (ch === "\x1b") {
      this.escState = 1;
    } else if (ch === "\x10") {
      if (this.inputLine === "") this.echoOffForLine = true;
    } else if (ch === "\x03") {
      // Ctrl-C: clear the line (busy JavaScript cannot be interrupted here).
      if (this.inputLine !== "") {
        if (!this.inputLineRemoved) {
          this.inputLineRemoved = true;
          if (this.echo()) this.consoleRaw("\r\x1b[J");
        }
        this.inputLine = "";
      }
      this.echoOffForLine = false;
    } else if (ch === "\r" || ch === "\n") {
      if (ch === "\n" && wasCR) return;
      this.newLine();
    } else if (ch === "\x08" || ch === "\x7f") {
      if (this.inputLine.length) {
        this.inputLine = this.inputLine.slice(0, -1);
        if (this.echo() && !this.inputLineRemoved) this.consoleRaw("\x08 \x08");
      }
    } else if (ch === "\x04") {
      // Ctrl-D: ignored (the Linux build exits; a board does not).
    } else {
      this.inputLine += ch;
      if (this.echo() && !this.inputLineRemoved) this.consoleRaw(ch);
    }
  }

  private incomplete(code: string): boolean {
    try {
      new vm.Script(code);
      return false;
    } catch (e) {
      return (
        e instanceof SyntaxError && /Unexpected end of input|Unterminated template/.test(e.message)
      );
    }
  }

  private newLine(): void {
    if (this.incomplete(this.inputLine)) {
      if (this.echo() && !this.inputLineRemoved) this.consoleRaw("\n:");
      this.inputLine += "\n";
      return;
    }
    if (this.echo() && !this.inputLineRemoved) this.consoleRaw("\n");
    if (!this.echoOffForLine) this.inputLineRemoved = true;
    const line = this.inputLine.replace(/\s+$/, "");
    this.inputLine = "";
    let ok = true;
    let v: unknown;
    try {
      this.live();
      v = vm.runInContext(line, this.context, { filename: "REPL" });
    } catch (e) {
      ok = false;
      this.uncaught(e);
    }
    if (this.echo() && ok && line !== "") this.consoleRaw("=" + inspect(v) + "\n");
    this.checkErrors();
    this.echoOffForLine = false;
  }

  // ------------------------------------------------------------ idle loop

  hasWork(): boolean {
    if (this.dead) return false;
    const now = this.host.now();
    return (
      this.events.length > 0 ||
      this.todo !== undefined ||
      this.errorFlags !== this.lastErrorFlags ||
      this.timers.some((t) => t.due <= now)
    );
  }

  /** Time (board ms) the next timer is due, or undefined. */
  nextTimer(): number | undefined {
    let best: number | undefined;
    for (const t of this.timers) if (best === undefined || t.due < best) best = t.due;
    return best;
  }

  /** One pass of Espruino's idle loop. Throws Halt when the power is cut. */
  idle(): void {
    if (this.dead) return;
    // 1. the IO events that were queued when the pass started
    let n = this.events.length;
    while (n-- > 0) {
      const ev = this.events.shift();
      if (!ev) break;
      if (ev.device === "LoopbackA" || ev.device === "LoopbackB") this.fifoBytes -= ev.data.length;
      if (ev.device === "#NRF") {
        if (this.nrf) this.nrf.emit(ev.data);
        continue;
      }
      if (ev.device === this.console) this.handleConsoleChars(ev.data);
      else {
        const dev = this.devices.get(ev.device);
        if (dev) {
          for (const f of (dev.listeners.get("data") ?? []).slice()) {
            let threw = false;
            try {
              f.call(dev.obj, ev.data);
            } catch (e) {
              if (isHalt(e) || this.dead) {
                this.halted = true;
                throw new Halt();
              }
              threw = true;
              this.reportUncaught(e);
            }
            if (threw) {
              // jswrap_stream_pushData: a throwing data handler is removed
              this.consolePrint("Error processing Serial data handler - removing it.\n");
              this.raiseErrorFlag("CALLBACK");
              dev.removeListener("data", f);
            }
            this.checkErrors();
          }
        }
      }
      if (this.dead) throw new Halt();
    }
    // 2. timers that are due, each at most once per pass
    const now = this.host.now();
    const due = this.timers
      .filter((t) => t.due <= now)
      .sort((a, b) => a.due - b.due || a.id - b.id);
    for (const t of due) {
      if (!this.timers.includes(t)) continue;
      if (t.period > 0) t.due = Math.max(t.due + t.period, now);
      else this.timers = this.timers.filter((x) => x !== t);
      if (typeof t.fn === "string") this.run(t.fn, "timer");
      else this.call(t.fn, this.g, t.args);
      if (this.dead) throw new Halt();
    }
    this.checkErrors();
    // 3. reset(), load(), E.reboot()
    const todo = this.todo;
    if (todo) {
      this.todo = undefined;
      if (todo.kind === "reboot") {
        this.host.requestReboot();
        return;
      }
      this.softReset(todo.kind, todo.file);
    }
    // 4. the prompt
    this.returnInputLine();
  }

  // ------------------------------------------------------------ boot, reset, load

  /** Power-on: banner, boot files, .bootcde, 'init', onInit, prompt. */
  powerOn(firstBoot: boolean): void {
    // As jsiSemiInit: boot code first, then the banner.
    this.runBootCode("power", firstBoot);
    this.consolePrint("\n" + BANNER);
    this.returnInputLine();
  }

  /** Runs the 'kill' handlers (what reset(), load() and E.reboot() do first). */
  kill(): void {
    this.E.emit("kill");
  }

  private softReset(kind: "reset" | "load", file: string | undefined): void {
    this.kill();
    this.newContext();
    this.runBootCode(kind, false, file);
    if (kind === "reset") this.consolePrint(BANNER);
  }

  private runBootCode(kind: "power" | "reset" | "load", firstBoot: boolean, file?: string): void {
    const st = this.host.storage;
    const runFile = (name: string): void => {
      const code = st.readText(name);
      if (code !== undefined) this.run(code, name);
    };
    if (kind === "power" && firstBoot) runFile(".bootPowerOn");
    for (let i = 0; i < 4; i++) runFile(".boot" + i);
    if (kind === "reset") runFile(".bootrst");
    else if (file === undefined) runFile(".bootcde");
    this.E.emit("init");
    const onInit = this.g["onInit"];
    if (typeof onInit === "function") this.call(onInit, this.g, []);
    if (file !== undefined) {
      const code = st.readText(file);
      this.g["__FILE__"] = file;
      if (code !== undefined) this.run(code, file);
    }
  }

  /** A fresh global scope (JS state gone; devices, console and Storage stay). */
  private newContext(): void {
    this.timers = [];
    for (const d of this.devices.values()) d.removeAllListeners();
    this.E = new Emitter(this);
    this.processEm = new Emitter(this);
    this.nrf = this.host.board.resetReason === "nrf52" ? new Emitter(this) : undefined;
    this.context = vm.createContext({});
    this.g = this.context as Record<string, unknown>;
    this.installGlobals();
  }

  /** Runs code as app code; returns its value (undefined on an exception, which is reported). */
  evalApp(code: string): unknown {
    return this.run(code, "app");
  }

  // ------------------------------------------------------------ globals

  private installGlobals(): void {
    const g = this.g;
    const host = this.host;
    const board = host.board;
    g["global"] = g;
    const print = (...args: unknown[]): void => {
      this.live();
      this.consolePrint(args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" ") + "\n");
    };
    g["print"] = print;
    g["console"] = { log: print, debug: print, info: print, warn: print, error: print };
    const addTimer = (fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number => {
      this.live();
      const d = Math.max(0, Number(ms) || 0);
      const t: Timer = {
        id: ++this.timerId,
        due: host.now() + d,
        period: repeat ? Math.max(d, 0.1) : 0,
        fn: fn as Fn | string,
        args,
      };
      this.timers.push(t);
      return t.id;
    };
    const clear = (id?: unknown): void => {
      if (id === undefined) this.timers = [];
      else this.timers = this.timers.filter((t) => t.id !== id);
    };
    g["setTimeout"] = (fn: unknown, ms?: unknown, ...args: unknown[]) =>
      addTimer(fn, ms, args, false);
    g["setInterval"] = (fn: unknown, ms?: unknown, ...args: unknown[]) =>
      addTimer(fn, ms, args, true);
    g["clearTimeout"] = clear;
    g["clearInterval"] = clear;
    g["changeInterval"] = (id: unknown, ms: unknown) => {
      const t = this.timers.find((x) => x.id === id);
      if (t) {
        t.period = Math.max(0.1, Number(ms) || 0);
        t.due = host.now() + t.period;
      }
    };
    g["getTime"] = () => host.wallClock() / 1000;
    g["setTime"] = (t: unknown) => host.setWallClock(Number(t) * 1000);
    // Stacks as Espruino writes them: only "    at file:line:col" lines of the board's code
    // (the message is not repeated, host frames are left out).
    vm.runInContext(
      "Error.prepareStackTrace=function(e,fr){var s='';for(var i=0;i<fr.length&&i<4;i++){var f=fr[i].getFileName()||'';" +
        "if(f.charAt(0)==='/'||f.indexOf('node:')===0||f.indexOf('file:')===0)continue;" +
        "s+='    at '+(fr[i].getFunctionName()?fr[i].getFunctionName()+' ':'')+'('+f+':'+fr[i].getLineNumber()+':'+fr[i].getColumnNumber()+')\\n';}return s;}",
      this.context,
    );
    // Date.now() and new Date() follow the board's clock.
    (
      vm.runInContext(
        "(function(now){var D=Date;function V(){if(!(this instanceof V))return new D(now()).toString();" +
          "return arguments.length?new (Function.prototype.bind.apply(D,[null].concat([].slice.call(arguments))))():new D(now());}" +
          "V.prototype=D.prototype;V.now=now;V.UTC=D.UTC;V.parse=D.parse;Date=V;})",
        this.context,
      ) as (now: () => number) => void
    )(() => host.wallClock());
    g["btoa"] = (s: unknown) => Buffer.from(String(s), "latin1").toString("base64");
    g["atob"] = (s: unknown) => Buffer.from(String(s), "base64").toString("latin1");
    g["echo"] = (on: unknown) => {
      this.echoOff = !on;
    };
    g["reset"] = () => {
      this.todo = { kind: "reset" };
    };
    g["load"] = (file?: unknown) => {
      this.todo = { kind: "load", file: file === undefined ? undefined : String(file) };
    };
    g["save"] = () => {
      this.consolePrint("save() is not supported by the virtual board: use Storage files\n");
    };
    g["peek32"] = (addr: unknown) => {
      const a = Number(addr) >>> 0;
      if (a === 0x40000400 && board.resetReason === "nrf52") return host.getResetreas() >>> 0;
      return this.memory.get(a) ?? 0;
    };
    g["poke32"] = (addr: unknown, value: unknown) => {
      const a = Number(addr) >>> 0;
      const v = Number(value) >>> 0;
      // RESETREAS bits are cleared by writing 1 to them.
      if (a === 0x40000400 && board.resetReason === "nrf52")
        host.setResetreas((host.getResetreas() & ~v) >>> 0);
      else this.memory.set(a, v);
    };
    for (const d of this.devices.values()) g[d.name] = d.obj;
    if (board.resetReason === "esp8266")
      g["ESP8266"] = {
        getResetInfo: () => ({
          reason: host.espResetReason(),
          exccause: 0,
          epc1: 0,
          epc2: 0,
          epc3: 0,
        }),
      };
    if (this.nrf) {
      g["NRF"] = this.nrf.api({ getSecurityStatus: () => ({ connected: this.bleConnected }) });
    }
    g["E"] = this.E.api({
      CRC32: (d: unknown) => crc32(asBytes(d)),
      toString: (...args: unknown[]) => latin1(asBytes(args)),
      toUint8Array: (...args: unknown[]) => asBytes(args),
      toArrayBuffer: (s: unknown) => fromLatin1(String(s)).buffer,
      toJS: (v: unknown) => inspect(v),
      getErrorFlags: () => {
        const names = ERROR_FLAGS.filter((_n, i) => this.errorFlags & (1 << i));
        this.errorFlags = 0;
        return names;
      },
      setConsole: (dev: unknown, opts?: { force?: boolean }) =>
        this.setConsole(
          dev === null || dev === undefined
            ? null
            : typeof dev === "string"
              ? dev
              : String((dev as { name?: unknown }).name ?? dev),
          opts?.force === true,
        ),
      getConsole: () => this.console,
      reboot: () => {
        this.kill();
        this.todo = { kind: "reboot" };
      },
      setFlags: (f: Record<string, unknown>) => {
        for (const k of Object.keys(f)) this.flags[k] = Number(f[k]) ? 1 : 0;
      },
      getFlags: () => ({ ...this.flags }),
      setBootCode: (code: unknown, always?: unknown) =>
        host.storage.writeFile(always ? ".bootrst" : ".bootcde", String(code)),
      enableWatchdog: () => undefined,
      kickWatchdog: () => undefined,
      getSizeOf: () => 1,
      getAddressOf: () => 0,
      dumpStr: () => "",
      hwRand: () => (Math.random() * 0x100000000) >>> 0,
    });
    g["process"] = this.processEm.api({
      version: ESPRUINO_VERSION,
      env: {
        VERSION: ESPRUINO_VERSION,
        BOARD: board.id.toUpperCase(),
        CONSOLE: host.hostDevice,
        MODULES: "Flash,Storage,heatshrink",
        ...(host.storageSize !== undefined ? { STORAGE: host.storageSize } : {}),
      },
      memory: () => {
        const total = board.jsvars;
        const usage = Math.min(total, 300);
        return {
          free: total - usage,
          usage,
          total,
          history: 0,
          gc: 0,
          gctime: 0,
          blocksize: 13,
          ...(host.memoryFlash ?? {}),
        };
      },
    });
    const modules: Record<string, unknown> = {
      Flash: this.flashModule(),
      Storage: this.storageModule(),
      heatshrink: {
        compress: (d: unknown) => {
          const b = heatshrinkCompress(asBytes(d));
          return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
        },
        decompress: (d: unknown) => {
          const b = heatshrinkDecompress(asBytes(d), { strict: false });
          return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
        },
      },
    };
    g["require"] = (name: unknown) => {
      const n = String(name);
      if (Object.prototype.hasOwnProperty.call(modules, n)) return modules[n];
      const code = host.storage.readText(n);
      if (code !== undefined) {
        const mod = { exports: {} as unknown };
        const f = vm.runInContext("(function(exports,module){" + code + "\n})", this.context, {
          filename: n,
        }) as Fn;
        f(mod.exports, mod);
        modules[n] = mod.exports;
        return mod.exports;
      }
      throw new Error('Module "' + n + '" not found');
    };
    const w25q = this.w25q;
    const live = (): void => this.live();
    const spiClass = function SPI(): Record<string, unknown> {
      let sck = "";
      return {
        setup: (o: { sck?: unknown }) => {
          sck = String(o?.sck ?? "");
        },
        send: (data: unknown, nss?: unknown) => {
          live();
          const tx = asBytes(data);
          const spi = board.spi;
          const rx =
            w25q && spi && nss === spi.cs && sck === spi.sck
              ? w25q.transfer(tx)
              : new Uint8Array(tx.length).fill(0xff);
          if (typeof data === "number") return rx[0];
          if (typeof data === "string") return latin1(rx);
          return rx;
        },
        write: () => undefined,
      };
    };
    g["SPI"] = spiClass;
    g["SPI1"] = new (spiClass as unknown as new () => unknown)();
  }

  private flashModule(): Record<string, unknown> {
    const host = this.host;
    const board = host.board;
    const flash = host.flash;
    const page = board.eraseSize;
    const part =
      board.backend === "flash" ? { start: board.start, end: board.start + board.size } : undefined;
    const chip = board.chip ?? { start: board.start, size: board.size };
    const check = (a: number, n: number): void => {
      if (!(a >= chip.start && a + n <= chip.start + chip.size))
        throw new Error("Flash address 0x" + a.toString(16) + "+" + n + " outside the chip");
    };
    const sparse = (p: number): Uint8Array => {
      let b = this.chipSparse.get(p);
      if (!b) {
        b = new Uint8Array(page).fill(0xff);
        this.chipSparse.set(p, b);
      }
      return b;
    };
    return {
      getPage: (addr: unknown) => {
        const a = Number(addr);
        if (!(a >= chip.start && a < chip.start + chip.size)) return undefined;
        return { addr: Math.floor(a / page) * page, length: page };
      },
      getFree: () => (part ? [{ addr: part.start, length: part.end - part.start }] : []),
      read: (len: unknown, addr: unknown) => {
        this.live();
        const n = Number(len);
        const a = Number(addr);
        check(a, n);
        const out = new Uint8Array(n);
        for (let i = 0; i < n;) {
          const at = a + i;
          const p = Math.floor(at / page) * page;
          const k = Math.min(n - i, p + page - at);
          if (part && at >= part.start && at < part.end) out.set(flash.read(at - part.start, k), i);
          else out.set(sparse(p).subarray(at - p, at - p + k), i);
          i += k;
        }
        return out;
      },
      write: (data: unknown, addr: unknown) => {
        this.live();
        const d = asBytes(data);
        const a = Number(addr);
        check(a, d.length);
        for (let i = 0; i < d.length;) {
          const at = a + i;
          const p = Math.floor(at / page) * page;
          const k = Math.min(d.length - i, p + page - at);
          if (part && at >= part.start && at < part.end)
            programAligned(flash, at - part.start, d.subarray(i, i + k));
          else {
            const b = sparse(p);
            for (let j = 0; j < k; j++)
              b[at - p + j] = (b[at - p + j] as number) & (d[i + j] as number);
          }
          i += k;
        }
      },
      erasePage: (addr: unknown) => {
        this.live();
        const a = Number(addr);
        if (!Number.isInteger(a)) throw new Error("Invalid page address");
        check(a, 1);
        const p = Math.floor(a / page) * page;
        if (part && p >= part.start && p < part.end) flash.erase(p - part.start);
        else this.chipSparse.delete(p);
      },
    };
  }

  private storageModule(): Record<string, unknown> {
    const st = this.host.storage;
    const read = (name: unknown, offset?: unknown, length?: unknown): Uint8Array | undefined => {
      this.live();
      return st.read(
        String(name),
        offset === undefined ? undefined : Number(offset),
        length === undefined ? undefined : Number(length),
      );
    };
    return {
      read: (name: unknown, offset?: unknown, length?: unknown) => {
        const b = read(name, offset, length);
        return b === undefined ? undefined : latin1(b);
      },
      readArrayBuffer: (name: unknown) => {
        const b = read(name);
        return b === undefined
          ? undefined
          : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
      },
      readJSON: (name: unknown, noExceptions?: unknown) => {
        const b = read(name);
        if (b === undefined) return undefined;
        try {
          return JSON.parse(latin1(b));
        } catch (e) {
          if (noExceptions) return undefined;
          throw e;
        }
      },
      write: (name: unknown, data: unknown, offset?: unknown, size?: unknown) => {
        this.live();
        return st.write(
          String(name),
          asBytes(data),
          offset === undefined ? undefined : Number(offset),
          size === undefined ? undefined : Number(size),
        );
      },
      writeJSON: (name: unknown, obj: unknown) => {
        this.live();
        return st.write(String(name), fromLatin1(JSON.stringify(obj)));
      },
      erase: (name: unknown) => {
        this.live();
        st.erase(String(name));
      },
      eraseAll: () => {
        this.live();
        st.eraseAll();
      },
      list: (re?: unknown) => {
        const names = st.list();
        return re instanceof RegExp || Object.prototype.toString.call(re) === "[object RegExp]"
          ? names.filter((n) => (re as RegExp).test(n))
          : typeof re === "string"
            ? names.filter((n) => n === re)
            : names;
      },
      getFree: () => st.stats().freeBytes,
      getStats: () => st.stats(),
      compact: () => st.compact(),
      hash: () => 0,
      open: () => {
        throw new Error("StorageFile is not supported by the virtual board");
      },
    };
  }
}
