// The global scope of the virtual board's interpreter: print and console, the timer
// functions, getTime/setTime and a Date on the board's clock, echo, reset/load/save,
// peek32/poke32 (nRF52 RESETREAS), the serial devices, ESP8266 and NRF, E, process,
// require (the built-in modules, else a Storage file) and SPI (the W25Q-like chip on the
// board's SPI pins: fake-w25q.ts). Installed afresh in each new context (power-on, reset(),
// load()). Host-only.

import vm from "node:vm";
import { crc32 } from "../core/crc32.js";
import { asBytes, fromLatin1, latin1 } from "./espruino-values.js";
import type { Emitter, Fn } from "./espruino-emitter.js";
import type { ConsoleDevices } from "./espruino-devices.js";
import type { ErrorFlags } from "./espruino-error-flags.js";
import { flashModule, heatshrinkModule, storageModule } from "./espruino-modules.js";
import { inspect } from "./espruino-repl.js";
import type { Repl } from "./espruino-repl.js";
import type { Timers } from "./espruino-timers.js";
import type { FakeW25Q } from "./fake-w25q.js";
import type { ShimHost } from "./shim-host.js";

export const ESPRUINO_VERSION = "2v29";

/** What reset(), load() and E.reboot() leave for the idle loop to do. */
export interface PendingRestart {
  kind: "reset" | "load" | "reboot";
  file?: string | undefined;
}

/** The interpreter the globals are installed in (EspruinoShim, for one context). */
export interface GlobalsTarget {
  readonly host: ShimHost;
  readonly context: vm.Context;
  /** This context's E, process and (nRF52 boards) NRF. */
  readonly E: Emitter;
  readonly process: Emitter;
  readonly nrf: Emitter | undefined;
  readonly timers: Timers;
  readonly devices: ConsoleDevices;
  readonly repl: Repl;
  readonly errorFlags: ErrorFlags;
  /** What poke32 wrote (address -> value), kept across soft resets. */
  readonly memory: Map<number, number>;
  /** E.setFlags, kept across soft resets. */
  readonly flags: Record<string, number>;
  /** The Flash module's pages outside the partition, kept across soft resets. */
  readonly chipOutsidePartition: Map<number, Uint8Array>;
  readonly w25q: FakeW25Q | undefined;
  /** Throws (stops the caller) when the board has no power. */
  live(): void;
  /** Runs the 'kill' handlers. */
  kill(): void;
  /** reset(), load(), E.reboot(): done by the idle loop after the current callback. */
  restart(what: PendingRestart): void;
}

/** RESETREAS: the POWER peripheral (0x40000000) + 0x400 (nRF52832 Product Specification, POWER registers). */
const NRF52_RESETREAS = 0x40000400;

export function installGlobals(t: GlobalsTarget): void {
  const g = t.context as Record<string, unknown>;
  const host = t.host;
  const board = host.board;
  g["global"] = g;
  const print = (...args: unknown[]): void => {
    t.live();
    t.repl.consolePrint(args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" ") + "\n");
  };
  g["print"] = print;
  g["console"] = { log: print, debug: print, info: print, warn: print, error: print };
  const addTimer = (fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number => {
    t.live();
    return t.timers.add(fn, ms, args, repeat, host.now());
  };
  const clear = (id?: unknown): void => t.timers.clear(id);
  g["setTimeout"] = (fn: unknown, ms?: unknown, ...args: unknown[]) =>
    addTimer(fn, ms, args, false);
  g["setInterval"] = (fn: unknown, ms?: unknown, ...args: unknown[]) =>
    addTimer(fn, ms, args, true);
  g["clearTimeout"] = clear;
  g["clearInterval"] = clear;
  g["changeInterval"] = (id: unknown, ms: unknown) => t.timers.change(id, ms, host.now());
  g["getTime"] = () => host.wallClock() / 1000;
  g["setTime"] = (s: unknown) => host.setWallClock(Number(s) * 1000);
  // Stacks as Espruino writes them: only "    at file:line:col" lines of the board's code
  // (the message is not repeated, host frames are left out).
  vm.runInContext(
    "Error.prepareStackTrace=function(e,fr){var s='';for(var i=0;i<fr.length&&i<4;i++){var f=fr[i].getFileName()||'';" +
      "if(f.charAt(0)==='/'||f.indexOf('node:')===0||f.indexOf('file:')===0)continue;" +
      "s+='    at '+(fr[i].getFunctionName()?fr[i].getFunctionName()+' ':'')+'('+f+':'+fr[i].getLineNumber()+':'+fr[i].getColumnNumber()+')\\n';}return s;}",
    t.context,
  );
  // Date.now() and new Date() follow the board's clock.
  (
    vm.runInContext(
      "(function(now){var D=Date;function V(){if(!(this instanceof V))return new D(now()).toString();" +
        "return arguments.length?new (Function.prototype.bind.apply(D,[null].concat([].slice.call(arguments))))():new D(now());}" +
        "V.prototype=D.prototype;V.now=now;V.UTC=D.UTC;V.parse=D.parse;Date=V;})",
      t.context,
    ) as (now: () => number) => void
  )(() => host.wallClock());
  g["btoa"] = (s: unknown) => Buffer.from(String(s), "latin1").toString("base64");
  g["atob"] = (s: unknown) => Buffer.from(String(s), "base64").toString("latin1");
  g["echo"] = (on: unknown) => t.repl.setEcho(Boolean(on));
  g["reset"] = () => t.restart({ kind: "reset" });
  g["load"] = (file?: unknown) =>
    t.restart({ kind: "load", file: file === undefined ? undefined : String(file) });
  g["save"] = () => {
    t.repl.consolePrint("save() is not supported by the virtual board: use Storage files\n");
  };
  g["peek32"] = (addr: unknown) => {
    const a = Number(addr) >>> 0;
    if (a === NRF52_RESETREAS && board.resetReason === "nrf52") return host.getResetreas() >>> 0;
    return t.memory.get(a) ?? 0;
  };
  g["poke32"] = (addr: unknown, value: unknown) => {
    const a = Number(addr) >>> 0;
    const v = Number(value) >>> 0;
    // RESETREAS bits are cleared by writing 1 to them.
    if (a === NRF52_RESETREAS && board.resetReason === "nrf52")
      host.setResetreas((host.getResetreas() & ~v) >>> 0);
    else t.memory.set(a, v);
  };
  for (const d of t.devices.all()) g[d.name] = d.obj;
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
  if (t.nrf) {
    g["NRF"] = t.nrf.api({ getSecurityStatus: () => ({ connected: t.devices.connected }) });
  }
  g["E"] = eObject(t);
  g["process"] = processObject(t);
  installRequire(t, g);
  installSpi(t, g);
}

/** The global E. */
function eObject(t: GlobalsTarget): Record<string, unknown> {
  return t.E.api({
    CRC32: (d: unknown) => crc32(asBytes(d)),
    toString: (...args: unknown[]) => latin1(asBytes(args)),
    toUint8Array: (...args: unknown[]) => asBytes(args),
    toArrayBuffer: (s: unknown) => fromLatin1(String(s)).buffer,
    toJS: (v: unknown) => inspect(v),
    getErrorFlags: () => t.errorFlags.take(),
    setConsole: (dev: unknown, opts?: { force?: boolean }) =>
      t.devices.setConsole(
        dev === null || dev === undefined
          ? null
          : typeof dev === "string"
            ? dev
            : String((dev as { name?: unknown }).name ?? dev),
        opts?.force === true,
      ),
    getConsole: () => t.devices.console,
    reboot: () => {
      t.kill();
      t.restart({ kind: "reboot" });
    },
    setFlags: (f: Record<string, unknown>) => {
      for (const k of Object.keys(f)) t.flags[k] = Number(f[k]) ? 1 : 0;
    },
    getFlags: () => ({ ...t.flags }),
    setBootCode: (code: unknown, always?: unknown) =>
      t.host.storage.writeFile(always ? ".bootrst" : ".bootcde", String(code)),
    enableWatchdog: () => undefined,
    kickWatchdog: () => undefined,
    getSizeOf: () => 1,
    getAddressOf: () => 0,
    dumpStr: () => "",
    hwRand: () => (Math.random() * 0x100000000) >>> 0,
  });
}

/**
 * The global process: version, env, and memory(): a fixed 300 JsVars for the firmware and
 * what the board's JsVarModel adds, the garbage collected first unless `false` is passed.
 */
function processObject(t: GlobalsTarget): Record<string, unknown> {
  const host = t.host;
  const board = host.board;
  return t.process.api({
    version: ESPRUINO_VERSION,
    env: {
      VERSION: ESPRUINO_VERSION,
      BOARD: board.id.toUpperCase(),
      CONSOLE: host.hostDevice,
      MODULES: "Flash,Storage,heatshrink",
      ...(host.storageSize !== undefined ? { STORAGE: host.storageSize } : {}),
    },
    memory: (gc?: unknown) => {
      const m = host.memory;
      const collect = gc === undefined || !!gc;
      const collected = collect ? m.garbage : 0;
      m.garbage -= collected;
      const total = board.jsvars;
      const usage = Math.min(total, 300 + m.held + m.garbage);
      return {
        free: total - usage,
        usage,
        total,
        history: 0,
        ...(collect ? { gc: collected, gctime: 0 } : {}),
        blocksize: 13,
        ...(host.memoryFlash ?? {}),
      };
    },
  });
}

/** require(name): a built-in module, else the Storage file `name` run as a module (cached). */
function installRequire(t: GlobalsTarget, g: Record<string, unknown>): void {
  const live = (): void => t.live();
  const modules: Record<string, unknown> = {
    Flash: flashModule(t.host, live, t.chipOutsidePartition),
    Storage: storageModule(t.host.storage, live),
    heatshrink: heatshrinkModule(),
  };
  g["require"] = (name: unknown) => {
    const n = String(name);
    if (Object.prototype.hasOwnProperty.call(modules, n)) return modules[n];
    const code = t.host.storage.readText(n);
    if (code !== undefined) {
      const mod = { exports: {} as unknown };
      const f = vm.runInContext("(function(exports,module){" + code + "\n})", t.context, {
        filename: n,
      }) as Fn;
      f(mod.exports, mod);
      modules[n] = mod.exports;
      return mod.exports;
    }
    throw new Error('Module "' + n + '" not found');
  };
}

/**
 * SPI and SPI1: send() reaches the W25Q-like chip when nss is the board's SPI CS pin and
 * setup() named its SCK pin; any other transfer reads 0xFF. send() returns what it was given:
 * a number for a number, a string for a string, else a Uint8Array (src/jswrap_spi_i2c.c).
 */
function installSpi(t: GlobalsTarget, g: Record<string, unknown>): void {
  const board = t.host.board;
  const w25q = t.w25q;
  const live = (): void => t.live();
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
