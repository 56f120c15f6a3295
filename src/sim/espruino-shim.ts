// A minimal Espruino interpreter environment in Node, for the virtual board
// (src/sim/virtual-board.ts): the API surface a firmware bundle and a host tool touch,
// backed by a SimulatedNorFlash, run in a node:vm context. Host-only.
//
// What is modelled (each after Espruino 2v29's source, src/jsinteractive.c and friends):
// - the idle loop (this file): IO events first (console input to the REPL, other devices'
//   'data' handlers), then due timers (espruino-timers.ts), then error flags ('errorFlag'
//   and "New interpreter error": espruino-error-flags.ts), then pending
//   reset()/load()/E.reboot(), then the prompt; uncaught errors reported as
//   "Uncaught Error: ..." unless process.on('uncaughtException') handlers take them;
//   boot files .bootPowerOn, .boot0-3, .bootcde / .bootrst;
// - the REPL (espruino-repl.ts): echo, "=result", the ">" prompt, "\r\x1B[J" before
//   asynchronous output, DLE (0x10) turning echo off for one line, Ctrl-C clearing the line,
//   lines with open brackets continued;
// - console devices (espruino-devices.ts): the host link (USB, or Bluetooth on nRF52
//   boards), Serial1, LoopbackA and LoopbackB (bytes written to one arrive asynchronously as
//   the other's 'data' events, through a bounded input FIFO that raises FIFO_FULL when it
//   overflows), E.setConsole / E.getConsole / Serial.setConsole, Bluetooth connect and
//   disconnect;
// - the global scope (espruino-globals.ts) and the built-in modules (espruino-modules.ts):
//   require("Flash") over the board's chip, the partition backed by the SimulatedNorFlash;
//   require("Storage") with Espruino's pre-allocation semantics (virtual-storage.ts), the
//   "storage" backend's files backed by the SimulatedNorFlash; require("heatshrink");
//   a W25Q-like SPI NOR on the board's SPI pins (fake-w25q.ts); peek32/poke32 with nRF52
//   RESETREAS; ESP8266.getResetInfo();
// - a power cut (the SimulatedNorFlash losing power) halts the interpreter at once: every
//   native call then throws, and the idle loop stops.
//
// Not modelled: the JavaScript dialect (the vm runs full modern JavaScript: the
// interpreter tier, npm run test:espruino, and scripts/check-dialect.ts cover that), JsVar
// memory (process.memory() reports fixed figures), the one-second console "Limbo" after a
// power-on, interrupting busy JavaScript with Ctrl-C, watchdog timeouts (the virtual board
// simulates a watchdog reset on request), pins other than the SPI flash's.

import vm from "node:vm";
import { isPowerCut, powerCutError } from "./nor-flash.js";
import { ConsoleDevices } from "./espruino-devices.js";
import { Emitter } from "./espruino-emitter.js";
import type { Fn } from "./espruino-emitter.js";
import { ErrorFlags } from "./espruino-error-flags.js";
import { ESPRUINO_VERSION, installGlobals } from "./espruino-globals.js";
import type { PendingRestart } from "./espruino-globals.js";
import { Repl } from "./espruino-repl.js";
import { Timers } from "./espruino-timers.js";
import type { FakeW25Q } from "./fake-w25q.js";
import type { ShimHost } from "./shim-host.js";

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

/** One interpreter: from a hardware boot to the next (reset()/load() happen inside it). */
export class EspruinoShim {
  readonly host: ShimHost;
  private context!: vm.Context;
  private g!: Record<string, unknown>;
  private readonly timers = new Timers();
  private readonly errorFlags = new ErrorFlags();
  private readonly devices: ConsoleDevices;
  private readonly repl: Repl;
  // This context's emitters (a soft reset makes new ones).
  private E!: Emitter;
  private processEm!: Emitter;
  private nrf: Emitter | undefined;
  private todo: PendingRestart | undefined;
  // Kept across soft resets, as a board's RAM outside the JS heap and its flash are.
  private readonly memory = new Map<number, number>();
  private readonly flags: Record<string, number> = {};
  private readonly chipOutsidePartition = new Map<number, Uint8Array>();
  private readonly w25q: FakeW25Q | undefined;
  private halted = false;
  /** Set when a power cut stopped the interpreter. */
  get dead(): boolean {
    return this.halted || !this.host.flash.powered;
  }

  constructor(host: ShimHost, w25q?: FakeW25Q) {
    this.host = host;
    this.w25q = w25q;
    this.repl = new Repl({
      isDead: () => this.dead,
      printRaw: (text) => this.devices.printRaw(text),
      evaluate: (line) => this.evaluate(line),
      checkErrors: () => this.checkErrors(),
    });
    this.devices = new ConsoleDevices(host, {
      call: (fn, self, args) => this.call(fn, self, args),
      live: () => this.live(),
      raiseErrorFlag: (name) => this.raiseErrorFlag(name),
      echo: () => this.repl.echo(),
    });
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
  private run(code: string, filename: string): unknown {
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

  /** A REPL line: its value, or ok false after its exception was reported. */
  private evaluate(line: string): { ok: boolean; value: unknown } {
    try {
      this.live();
      return { ok: true, value: vm.runInContext(line, this.context, { filename: "REPL" }) };
    } catch (e) {
      this.uncaught(e);
      return { ok: false, value: undefined };
    }
  }

  private uncaught(e: unknown): void {
    if (isHalt(e) || this.dead) {
      this.halted = true;
      throw e instanceof Halt ? e : new Halt();
    }
    const handlers = (this.processEm.listeners.get("uncaughtException") ?? []).slice();
    // As jsiCheckErrors (src/jsinteractive.c): every handler runs, and an exception one of
    // them throws (its own, or the one it was given) is still pending after them: it is
    // reported as if nobody had handled it.
    let pending = handlers.length === 0;
    let reported = e;
    for (const h of handlers) {
      try {
        h.call(this.processEm, e);
      } catch (e2) {
        this.haltIfPowerCut(e2);
        pending = true;
        reported = e2;
      }
    }
    if (pending) this.reportUncaught(reported);
  }

  /** Throws Halt when the power is cut: `e` (thrown by board code) is the cut's, or the board is dead. */
  private haltIfPowerCut(e: unknown): void {
    if (isHalt(e) || this.dead) {
      this.halted = true;
      throw new Halt();
    }
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
    this.repl.consolePrint(text);
    // E.setFlags({onErrorSave:1}): the first unhandled error is kept in the Storage file
    // "ERROR", the exception and its stack, as the interpreter keeps it.
    const storage = this.host.storage;
    if (this.flags["onErrorSave"] && storage.size("ERROR") === undefined)
      storage.writeFile("ERROR", String(e) + (typeof stack === "string" ? "\n" + stack : ""));
  }

  /** Reports error flags raised since the last check (jsiCheckErrors). */
  private checkErrors(): void {
    if (this.dead || !this.errorFlags.changed) return;
    const names = this.errorFlags.beginCheck();
    if (names.length) {
      this.E.emit("errorFlag", names);
      this.repl.consolePrint("New interpreter error: " + names.join(",") + "\n");
    }
    this.errorFlags.endCheck();
  }

  raiseErrorFlag(name: string): void {
    this.errorFlags.raise(name);
  }

  // ------------------------------------------------------------ the host link

  /** Bytes from the host link: queued as an IO event. */
  hostInput(text: string): void {
    this.devices.hostInput(text);
  }

  bleConnect(): void {
    this.devices.bleConnect(this.nrf !== undefined);
  }

  bleDisconnect(): void {
    this.devices.bleDisconnect(this.nrf !== undefined);
  }

  // ------------------------------------------------------------ idle loop

  hasWork(): boolean {
    if (this.dead) return false;
    return (
      this.devices.queued > 0 ||
      this.todo !== undefined ||
      this.errorFlags.changed ||
      this.timers.hasDue(this.host.now())
    );
  }

  /** Time (board ms) the next timer is due, or undefined. */
  nextTimer(): number | undefined {
    return this.timers.next();
  }

  /** One pass of Espruino's idle loop. Throws Halt when the power is cut. */
  idle(): void {
    if (this.dead) return;
    // 1. the IO events that were queued when the pass started
    let n = this.devices.queued;
    while (n-- > 0) {
      const ev = this.devices.nextEvent();
      if (!ev) break;
      if (ev.device === "#NRF") {
        if (this.nrf) this.nrf.emit(ev.data);
        continue;
      }
      if (ev.device === this.devices.console) this.repl.handleConsoleChars(ev.data);
      else this.deviceData(ev.device, ev.data);
      if (this.dead) throw new Halt();
    }
    // 2. timers that are due, each at most once per pass
    const now = this.host.now();
    for (const t of this.timers.due(now)) {
      if (!this.timers.fire(t, now)) continue;
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
    this.repl.returnInputLine();
  }

  /** Bytes for a device that is not the console: its 'data' handlers. */
  private deviceData(name: string, data: string): void {
    const dev = this.devices.get(name);
    if (!dev) return;
    for (const f of (dev.listeners.get("data") ?? []).slice()) {
      let threw = false;
      try {
        f.call(dev.obj, data);
      } catch (e) {
        this.haltIfPowerCut(e);
        threw = true;
        this.reportUncaught(e);
      }
      if (threw) {
        // jswrap_stream_pushData: a throwing data handler is removed
        this.repl.consolePrint("Error processing Serial data handler - removing it.\n");
        this.raiseErrorFlag("CALLBACK");
        dev.removeListener("data", f);
      }
      this.checkErrors();
    }
  }

  // ------------------------------------------------------------ boot, reset, load

  /** Power-on: banner, boot files, .bootcde, 'init', onInit, prompt. */
  powerOn(firstBoot: boolean): void {
    // As jsiSemiInit: boot code first, then the banner.
    this.runBootCode("power", firstBoot);
    this.repl.consolePrint("\n" + BANNER);
    this.repl.returnInputLine();
  }

  /** Runs the 'kill' handlers (what reset(), load() and E.reboot() do first). */
  kill(): void {
    this.E.emit("kill");
  }

  private softReset(kind: "reset" | "load", file: string | undefined): void {
    this.kill();
    this.newContext();
    this.runBootCode(kind, false, file);
    if (kind === "reset") this.repl.consolePrint(BANNER);
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
    this.timers.clear();
    for (const d of this.devices.all()) d.removeAllListeners();
    this.E = new Emitter(this);
    this.processEm = new Emitter(this);
    this.nrf = this.host.board.resetReason === "nrf52" ? new Emitter(this) : undefined;
    this.context = vm.createContext({});
    this.g = this.context as Record<string, unknown>;
    installGlobals({
      host: this.host,
      context: this.context,
      E: this.E,
      process: this.processEm,
      nrf: this.nrf,
      timers: this.timers,
      devices: this.devices,
      repl: this.repl,
      errorFlags: this.errorFlags,
      memory: this.memory,
      flags: this.flags,
      chipOutsidePartition: this.chipOutsidePartition,
      w25q: this.w25q,
      live: () => this.live(),
      kill: () => this.kill(),
      restart: (what) => {
        this.todo = what;
      },
    });
  }

  /** Runs code as app code; returns its value (undefined on an exception, which is reported). */
  evalApp(code: string): unknown {
    return this.run(code, "app");
  }
}
