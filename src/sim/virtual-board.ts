// The virtual board: an Espruino board in Node, running a firmware bundle
// (firmware/dist/<board>.js) unchanged on the Espruino API shim (src/sim/espruino-shim.ts),
// its flash a SimulatedNorFlash. Used by `mtdoops sim`, the demo and the tests. Host-only.
//
// API (stable; the CLI is written against it):
//
//   const vb = new VirtualBoard({ board, installFirmware: true });  // options below
//   vb.onOutput((text) => process.stdout.write(text));  // what the board prints ("\r\n" lines)
//   vb.boot();                          // power on: banner, Storage .boot0-3, .bootcde, prompt
//   vb.input('\x10mtdoops.dump(-1,0)\n');  // console input, as a host tool types it
//   vb.eval("setTimeout(()=>{throw new Error('x')},10)");  // app code; returns its value
//   vb.advance(100);                    // virtual time: run timers due in the next 100 ms
//   vb.reboot("watchdog");              // "soft" (E.reboot: kill handlers run) | "power-cut" | "watchdog"
//   vb.flash.cutPowerAfter({ ops: 3, mode: "torn" });  // fault injection (SimulatedNorFlash)
//   vb.takeOutput();                    // output since the last takeOutput()
//   vb.retrieve(-1, false);             // types mtdoops.dump(-1,0), parses it: {begin, records, end, error}
//   vb.clearRecords(seq);               // types mtdoops.clear(seq): the CLEARED count
//   vb.close();
//
// Options (VirtualBoardOptions):
//   board            the BoardDefinition (src/boards/load.ts loadBoard(id)).
//   seed             the SimulatedNorFlash's fault PRNG seed.
//   realTime         false (default): virtual time, moved only by advance() (and by the
//                    simulated duration of flash operations); true: timers run on the
//                    real clock by themselves.
//   flash            a SimulatedNorFlash to use (e.g. to keep the contents across
//                    VirtualBoard instances); default a new one. It holds: the partition
//                    (board.start..+size) for "flash" boards, the partition's Storage files
//                    (block N = file storagePrefix+N) for "storage" boards, the partition's
//                    region of the SPI NOR chip for "spinor" boards.
//   storage          a VirtualStorage to use (the other Storage files persist in it).
//   installFirmware  true: put firmware/dist/<id>.js (built first by the one firmware
//                    build, npm run build:firmware, when missing or older than any file
//                    its last build read) in Storage as ".boot0" before the first boot, with the
//                    files beside it (<id>.core.js as .mtdcore, <id>.mount.js as .mtdmount,
//                    <id>.read.js as .mtdread:
//                    src/boards/firmware-files.ts); a string: the path of a bundle to
//                    install instead (its modules beside it).
//   firmware         the firmware to install (wins over installFirmware): Storage name ->
//                    code (storageFiles in scripts/build-firmware.ts),
//                    or one string installed as ".boot0" alone.
//   epochMs          the wall clock at power-on (ms since 1970); default: the real clock in
//                    real-time mode, 0 ("time not set") in virtual time.
//   hostDevice       the console device the host link is: default "Bluetooth" on nRF52
//                    boards, else "USB".
//   ioBufferBytes    the interpreter's IO FIFO (default 1024): Loopback traffic beyond it
//                    is dropped with FIFO_FULL, as on a board.
//   firmwareEnd      process.memory().flash_binary_end on ARM boards (default: the end
//                    of the board file's "firmware" area, else the partition's start).
//
// Also: vb.storage (VirtualStorage), vb.halted (true once a power cut stopped it; call
// reboot()), vb.now() (board ms since the VirtualBoard was made), vb.raiseErrorFlag(name),
// vb.bleConnect() / vb.bleDisconnect(), vb.resetreas (nRF52 RESETREAS), vb.shim.

import { boardGeometry } from "../boards/geometry.js";
import { readFileSync } from "node:fs";
import type { BoardDefinition } from "../boards/schema.js";
import { FirmwareFile } from "../boards/firmware-files.js";
import { heatshrinkDecompress } from "../codec/heatshrink.js";
import { crc32 } from "../core/crc32.js";
import { decodeRecord, Flags, splitPayload, unpadded } from "../core/record.js";
import type { StoredRecord } from "../core/record.js";
import { commands } from "../core/protocol.js";
import { ProtocolParser } from "../host/protocol-parser.js";
import { firmwareFilePaths } from "../host/firmware-paths.js";
import { ensureBundleSync } from "../host/firmware-build.js";
import type { BeginInfo } from "../core/protocol.js";
import type { ProtocolEvent, ProtocolRecord } from "../host/protocol-parser.js";
import { EspruinoShim, isHalt } from "./espruino-shim.js";
import { FakeW25Q } from "./fake-w25q.js";
import { VirtualStorage } from "./virtual-storage.js";
import type { JsVarModel, ShimHost } from "./shim-host.js";
import { SimulatedNorFlash } from "./nor-flash.js";

export type RebootKind = "soft" | "power-cut" | "watchdog";

/** What VirtualBoard.retrieve() got back. */
export interface Retrieval {
  begin?: BeginInfo;
  records: ProtocolRecord[];
  /** The END line's count, when it came. */
  end?: number;
  /** The ERROR line's message, when one came. */
  error?: string;
  /** Every protocol event, corrupt lines included. */
  events: ProtocolEvent[];
}

export interface VirtualBoardOptions {
  board: BoardDefinition;
  seed?: number;
  realTime?: boolean;
  flash?: SimulatedNorFlash;
  storage?: VirtualStorage;
  installFirmware?: boolean | string;
  firmware?: string | Record<string, string>;
  epochMs?: number;
  hostDevice?: "USB" | "Bluetooth" | "Serial1";
  ioBufferBytes?: number;
  firmwareEnd?: number;
}

/** nRF52 RESETREAS bits (nRF52832 PS, POWER). */
export const RESETREAS = { RESETPIN: 0x1, DOG: 0x2, SREQ: 0x4, LOCKUP: 0x8 } as const;

/**
 * A board's firmware files as the build writes them (src/boards/firmware-files.ts): the
 * boot file `bundle` (.boot0) and, beside it, <name>.core.js, .mount.js and .read.js when
 * present.
 */
export function firmwareFilesAt(bundle: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, path] of firmwareFilePaths(bundle)) files[name] = readFileSync(path, "latin1");
  return files;
}

/** A retrieved record, opened: header fields, the context object and the console text. */
export interface OpenedRecord {
  record: StoredRecord;
  context: Record<string, unknown>;
  console: string;
}

/**
 * Checks and opens the bytes of a REC line (decodeRecord: commit, magic, CRC), undoing
 * heatshrink. Throws when they are not a valid record.
 */
export function openRecord(raw: Uint8Array, recordSize: number): OpenedRecord {
  const record = decodeRecord(raw, recordSize, 0xff, crc32);
  if (!record) throw new Error("not a valid record");
  const decoded =
    record.flags & Flags.HEATSHRINK
      ? heatshrinkDecompress(record.payload, { strict: false })
      : record.payload;
  const payload = unpadded(decoded, record.rawLength);
  if (!payload)
    throw new Error("payload is " + decoded.length + " bytes, rawLength says " + record.rawLength);
  const parts = splitPayload(payload);
  if (!parts) throw new Error("payload has no context");
  return {
    record,
    context: JSON.parse(Buffer.from(parts.context).toString("utf8")) as Record<string, unknown>,
    console: Buffer.from(parts.console).toString("latin1"),
  };
}

export class VirtualBoard {
  readonly board: BoardDefinition;
  readonly flash: SimulatedNorFlash;
  readonly storage: VirtualStorage;
  readonly realTime: boolean;
  /** nRF52 POWER->RESETREAS as the firmware reads it with peek32. */
  resetreas = 0;
  /** ESP8266.getResetInfo().reason. */
  espResetReason = "power on";
  /** True once a power cut stopped the board; reboot() to go on. */
  halted = false;
  /** The interpreter of the current boot. */
  shim: EspruinoShim | undefined;

  /** The SPI NOR chip of a "spinor" board (fault injection: `silent`). */
  readonly w25q: FakeW25Q | undefined;
  /** What process.memory() counts beyond the firmware's own (JsVarModel): tests set it. */
  readonly memory: JsVarModel = { held: 0, garbage: 0 };
  private readonly host: ShimHost;
  private readonly listeners = new Set<(text: string) => void>();
  private transcript = "";
  private firstBoot = true;
  private wallBase: number;
  private readonly flashUs0: number;
  private readonly t0 = performance.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private rebootRequested = false;

  constructor(o: VirtualBoardOptions) {
    const b = o.board;
    this.board = b;
    this.realTime = o.realTime === true;
    this.flash =
      o.flash ??
      new SimulatedNorFlash({
        geometry: boardGeometry(b),
        part: b.part,
        seed: o.seed,
      });
    if (this.flash.geometry.size !== b.size || this.flash.geometry.eraseSize !== b.eraseSize)
      throw new Error("VirtualBoard: the flash's geometry does not match board " + b.id);
    this.flashUs0 = this.flash.elapsedUs;
    const storageArea = (b.reserved ?? []).find((r) => r.name === "Storage");
    this.storage =
      o.storage ??
      new VirtualStorage({
        totalBytes: storageArea ? storageArea.end - storageArea.start : 256 * 1024,
        ...(b.backend === "storage"
          ? { backing: { prefix: b.storagePrefix ?? "mtdoops", flash: this.flash } }
          : {}),
      });
    if (b.backend === "storage" && !this.storage.backing)
      this.storage.backing = { prefix: b.storagePrefix ?? "mtdoops", flash: this.flash };
    this.w25q = b.backend === "spinor" ? new FakeW25Q(this.flash, b.start) : undefined;
    this.wallBase = o.epochMs ?? (this.realTime ? Date.now() : 0);

    const arm = b.resetReason === "nrf52" || (b.chip !== undefined && b.chip.start === 0x08000000);
    const fwArea = (b.reserved ?? []).find((r) => /firmware/i.test(r.name));
    const chip = b.chip ?? { start: 0, size: 0 };
    const memoryFlash = arm
      ? {
          flash_start: chip.start,
          flash_length: chip.size,
          flash_code_start: storageArea ? storageArea.start : 0,
          flash_binary_end: o.firmwareEnd ?? (fwArea ? fwArea.end : b.start),
        }
      : undefined;
    this.host = {
      board: b,
      flash: this.flash,
      storage: this.storage,
      now: () => this.now(),
      wallClock: () => this.wallBase + this.now(),
      setWallClock: (ms: number) => {
        this.wallBase = ms - this.now();
      },
      output: (text: string) => this.emitOutput(text),
      getResetreas: () => this.resetreas,
      setResetreas: (v: number) => {
        this.resetreas = v;
      },
      espResetReason: () => this.espResetReason,
      hostDevice: o.hostDevice ?? (b.resetReason === "nrf52" ? "Bluetooth" : "USB"),
      memory: this.memory,
      memoryFlash,
      storageSize: storageArea ? storageArea.end - storageArea.start : undefined,
      ioBufferBytes: o.ioBufferBytes ?? 1024,
      requestReboot: () => {
        this.rebootRequested = true;
      },
    };

    const files: Record<string, string> | undefined =
      typeof o.firmware === "string"
        ? { [FirmwareFile.Boot]: o.firmware }
        : (o.firmware ??
          (typeof o.installFirmware === "string"
            ? firmwareFilesAt(o.installFirmware)
            : o.installFirmware
              ? firmwareFilesAt(ensureBundleSync(b.id))
              : undefined));
    if (files !== undefined)
      for (const name of Object.keys(files)) this.storage.writeFile(name, files[name] as string);
  }

  /** Board milliseconds since this VirtualBoard was made (virtual: the flash's clock). */
  now(): number {
    return this.realTime
      ? performance.now() - this.t0
      : (this.flash.elapsedUs - this.flashUs0) / 1000;
  }

  // ---------------------------------------------------------------- output

  onOutput(listener: (text: string) => void): void {
    this.listeners.add(listener);
  }

  offOutput(listener: (text: string) => void): void {
    this.listeners.delete(listener);
  }

  /** Everything printed since the last call. */
  takeOutput(): string {
    const t = this.transcript;
    this.transcript = "";
    return t;
  }

  private emitOutput(text: string): void {
    this.transcript += text;
    if (this.transcript.length > 4_000_000) this.transcript = this.transcript.slice(-2_000_000);
    for (const l of this.listeners) l(text);
  }

  // ---------------------------------------------------------------- running

  private guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (isHalt(e)) {
        this.halted = true;
        return undefined;
      }
      throw e;
    }
  }

  /** Runs everything that is due now: IO events, due timers, pending reset/load/reboot. */
  runPending(): void {
    for (let i = 0; i < 10_000 && !this.closed; i++) {
      const shim = this.shim;
      if (!shim || this.halted) return;
      if (!this.flash.powered) {
        this.halted = true;
        return;
      }
      if (this.rebootRequested) {
        this.rebootRequested = false;
        this.startBoot("soft");
        continue;
      }
      if (!shim.hasWork()) return;
      this.guard(() => shim.idle());
    }
  }

  private schedule(): void {
    if (!this.realTime || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const shim = this.shim;
    if (!shim || this.halted) return;
    const next = shim.nextTimer();
    const delay =
      shim.hasWork() || this.rebootRequested
        ? 0
        : next === undefined
          ? -1
          : Math.max(0, next - this.now());
    if (delay < 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runPending();
      this.schedule();
    }, delay);
  }

  private settle(): void {
    if (this.realTime) this.schedule();
    else this.runPending();
  }

  /**
   * Powers the board on: a fresh interpreter. The reset registers (resetreas,
   * espResetReason) are left as they are, so a test can set the reason of this boot.
   */
  boot(): void {
    this.startBoot("boot");
    this.settle();
  }

  private startBoot(kind: RebootKind | "boot"): void {
    if (kind === "boot") {
      // as set
    } else if (kind === "power-cut") {
      this.resetreas = 0;
      this.espResetReason = "power on";
      if (this.w25q) this.w25q.poweredDown = true;
    } else if (kind === "watchdog") {
      this.resetreas = (this.resetreas | RESETREAS.DOG) >>> 0;
      this.espResetReason = "wdt reset";
    } else {
      this.resetreas = (this.resetreas | RESETREAS.SREQ) >>> 0;
      this.espResetReason = "restart";
    }
    this.flash.powerOn();
    this.halted = false;
    this.rebootRequested = false;
    const shim = new EspruinoShim(this.host, this.w25q);
    this.shim = shim;
    const first = this.firstBoot;
    this.firstBoot = false;
    this.guard(() => shim.powerOn(first));
  }

  /**
   * Restarts the board. "soft": as E.reboot(), the 'kill' handlers run first (nRF52
   * RESETREAS gets SREQ); "watchdog": a watchdog reset (DOG; ESP8266 "wdt reset"), no
   * handlers run; "power-cut": the power goes and comes back (RESETREAS 0), no handlers run.
   */
  reboot(kind: RebootKind): void {
    if (kind === "soft" && this.shim && !this.halted && this.flash.powered) {
      const shim = this.shim;
      this.guard(() => shim.kill());
    }
    this.startBoot(kind);
    this.settle();
  }

  /** Console input from the host link (a host tool's keystrokes or commands). */
  input(text: string): void {
    if (!this.shim || this.halted) return;
    this.shim.hostInput(text);
    this.settle();
  }

  /** Runs code in the board's global scope as app code (an exception is reported as uncaught). */
  eval(code: string): unknown {
    const shim = this.shim;
    if (!shim || this.halted)
      throw new Error("VirtualBoard.eval: the board is not running (boot() it)");
    const v = this.guard(() => shim.evalApp(code));
    this.settle();
    return v;
  }

  /** Virtual time: moves the clock on by `ms`, running every timer that falls due. */
  advance(ms: number): void {
    if (this.realTime) throw new Error("VirtualBoard.advance: the board runs in real time");
    if (!(ms >= 0)) throw new RangeError("advance: ms must be >= 0, got " + ms);
    const end = this.now() + ms;
    for (let i = 0; i < 1_000_000; i++) {
      this.runPending();
      const next = this.shim && !this.halted ? this.shim.nextTimer() : undefined;
      if (next === undefined || next > end) break;
      if (next > this.now()) this.flash.advance((next - this.now()) * 1000);
    }
    if (end > this.now()) this.flash.advance((end - this.now()) * 1000);
    this.runPending();
  }

  /** Raises an interpreter error flag ("FIFO_FULL", "MEMORY", ...), reported at the next idle. */
  raiseErrorFlag(name: string): void {
    if (!this.shim || this.halted) return;
    this.shim.raiseErrorFlag(name);
    this.settle();
  }

  /** A Bluetooth central connects (nRF52 boards): the console follows, NRF 'connect' fires. */
  bleConnect(): void {
    this.shim?.bleConnect();
    this.settle();
  }

  bleDisconnect(): void {
    this.shim?.bleDisconnect();
    this.settle();
  }

  /**
   * Types the retrieval command (SPEC.md §7.2) and parses what the board prints with the
   * host's ProtocolParser. Virtual time only (the board answers synchronously).
   */
  retrieve(since = -1, compress = false): Retrieval {
    const events = this.command(commands.dump(since, compress));
    const r: Retrieval = { records: [], events };
    for (const ev of events) {
      if (ev.type === "begin") r.begin = ev.info;
      else if (ev.type === "record") r.records.push(ev.record);
      else if (ev.type === "end") r.end = ev.count;
      else if (ev.type === "error") r.error = ev.message;
    }
    return r;
  }

  /** Types the clear command (SPEC.md §7.2); the number of records freed, or -1. */
  clearRecords(upto: number): number {
    const ev = this.command(commands.clear(upto)).find((e) => e.type === "cleared");
    return ev && ev.type === "cleared" ? ev.count : -1;
  }

  private command(text: string): ProtocolEvent[] {
    if (this.realTime) throw new Error("VirtualBoard.retrieve/clearRecords: virtual time only");
    const parser = new ProtocolParser({
      crc32,
      fromBase64: (t: string) => new Uint8Array(Buffer.from(t, "base64")),
      decompress: (d: Uint8Array) => heatshrinkDecompress(d, { strict: false }),
    });
    const events: ProtocolEvent[] = [];
    const l = (t: string): void => {
      events.push(...parser.push(t));
    };
    this.onOutput(l);
    try {
      this.input(text);
      events.push(...parser.push("\n"));
    } finally {
      this.offOutput(l);
    }
    return events;
  }

  /** Stops the board (and its real-time timers). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.shim = undefined;
  }
}
