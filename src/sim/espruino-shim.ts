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
//   require("Storage") with Espruino's pre-allocation semantics (virtual-storage.ts), the
//   "storage" backend's files backed by the SimulatedNorFlash; require("heatshrink");
//   a W25Q-like SPI NOR on the board's SPI pins (fake-w25q.ts); peek32/poke32 with nRF52 RESETREAS;
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
import { isPowerCut, powerCutError, programAligned } from "./nor-flash.js";
import { asBytes, fromLatin1, latin1 } from "./espruino-values.js";
import { FakeW25Q } from "./fake-w25q.js";
import { VirtualStorage } from "./virtual-storage.js";
import type { SimulatedNorFlash } from "./nor-flash.js";

export const ESPRUINO_VERSION = "2v29";

// ---------------------------------------------------------------- bytes

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
