// The device-side types: @types/espruino (tsconfig.firmware.json loads it for firmware/),
// and here, merged into its declarations, what version 1.95 (the newest published) lacks
// of the API the firmware uses, as measured on the 2v29 interpreter (docs/DIALECT.md;
// Espruino's src/jswrap_espruino.c, src/jswrap_process.c): E.CRC32, E.toString, E.getConsole/setConsole, E.on,
// process, the timers, require() of the Storage, heatshrink and Flash modules,
// ESP8266.getResetInfo, `console`, the SPI constructor and string pin names, and the optional
// arguments of peek32 and Serial.setConsole.
//
// A global declaration file (no import or export), so that it merges with @types/espruino;
// the host program (tsconfig.json, with Node's types) does not include firmware/.

/** `process.memory()`: counts are JsVars (blocks); flash_* only on ARM boards. */
interface EspMemory {
  free: number;
  usage: number;
  total: number;
  flash_start?: number;
  flash_binary_end?: number;
  flash_code_start?: number;
  flash_length?: number;
}

declare const process: {
  memory(gc?: boolean): EspMemory;
  version: string;
  env: { STORAGE?: number; BOARD?: string };
  on(event: "uncaughtException", fn: (e: unknown) => void): void;
};

/** The console object (src/jswrap_functions.c); console.ts wraps its `log`. */
declare const console: { log(text: unknown): void };

declare namespace E {
  function CRC32(data: Uint8Array | string): number;
  function toString(data: Uint8Array | ArrayBuffer): string | undefined;
  /** With `flatAddress`, where the data lives when it is one contiguous area, else 0 (src/jswrap_espruino.c). */
  function getAddressOf(v: unknown, flatAddress: boolean): number;
  function getConsole(): string | null;
  function setConsole(device: string | null, options?: { force?: boolean }): void;
  function on(event: "errorFlag", fn: (flags: string[]) => void): void;
  function on(event: "kill" | "init", fn: () => void): void;
}

declare namespace ESP8266 {
  function getResetInfo(): { reason: string; exccause?: number; epc1?: number };
}

declare function setTimeout(fn: () => void, ms: number): number;
/** The third argument is passed on to `fn` (2v29; the interpreter tier depends on it: the errorflag record). */
declare function setTimeout<T>(fn: (arg: T) => void, ms: number, arg: T): number;
declare function setInterval(fn: () => void, ms: number): number;

/** require("Storage"). */
interface StorageModule {
  read(name: string, offset?: number, length?: number): string | undefined;
  write(name: string, data: string | Uint8Array, offset?: number, size?: number): boolean;
  erase(name: string): void;
}

/** require("heatshrink"). */
interface HeatshrinkModule {
  compress(data: Uint8Array): ArrayBuffer;
  decompress(data: Uint8Array): ArrayBuffer;
}

/** require("Flash"): @types/espruino's `Flash` namespace, typed. */
interface FlashModule {
  getPage(addr: number): { addr: number; length: number } | undefined;
  read(length: number, addr: number): Uint8Array;
  write(data: Uint8Array, addr: number): void;
  erasePage(addr: number): void;
}

declare function require(name: "Storage"): StorageModule;
declare function require(name: "heatshrink"): HeatshrinkModule;
declare function require(name: "Flash"): FlashModule;

/** `new SPI()`: a software SPI on any pins; pins named by string ("D1") as well. */
declare const SPI: { new (): SPI };
interface SPI {
  send(data: Uint8Array, nss_pin: Pin | string): Uint8Array;
}

/** One word (the count is optional on the board; @types/espruino 1.95 requires it). */
declare function peek32(addr: number): number;

interface Serial {
  /** Makes this device the console, not forced (the argument is optional on the board). */
  setConsole(): void;
}
