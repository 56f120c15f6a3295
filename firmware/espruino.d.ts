// Minimal types for the parts of Espruino's API the firmware uses (2v29).
//
// A module of types only: the firmware files import what they need and declare the
// Espruino globals they touch locally (`declare const E: EspE;`), so that these names do
// not leak into the host code that shares tsconfig.json (Node and DOM types). We do not use
// @types/espruino: it declares globals such as `require`, `process`, `print` and timers
// that clash with @types/node and lib.dom in one program.

/** `process.memory()`: counts are JsVars (blocks); flash_* only on ARM boards. */
export interface EspMemory {
  free: number;
  usage: number;
  total: number;
  flash_start?: number;
  flash_binary_end?: number;
  flash_code_start?: number;
  flash_length?: number;
}

export interface EspProcess {
  memory(gc?: boolean): EspMemory;
  version: string;
  env: { STORAGE?: number; BOARD?: string };
  on(event: "uncaughtException", fn: (e: unknown) => void): void;
}

export interface EspE {
  CRC32(data: Uint8Array | string): number;
  toString(data: Uint8Array | ArrayBuffer): string | undefined;
  toUint8Array(data: string): Uint8Array;
  getErrorFlags(): string[];
  on(event: "errorFlag", fn: (flags: string[]) => void): void;
  on(event: "kill" | "init", fn: () => void): void;
  setConsole(device: string | null, options?: { force?: boolean }): void;
  getConsole(): string | null;
}

/** A serial-like device: USB, Serial1, Bluetooth, Telnet, Terminal, LoopbackA/B. */
export interface EspSerial {
  write(data: string | Uint8Array): void;
  on(event: "data", fn: (data: string) => void): void;
  removeListener(event: "data", fn: (data: string) => void): void;
  setConsole(force?: boolean): void;
}

/** require("Flash"). */
export interface EspFlash {
  getPage(addr: number): { addr: number; length: number } | undefined;
  read(length: number, addr: number): Uint8Array;
  write(data: Uint8Array, addr: number): void;
  erasePage(addr: number): void;
}

/** require("Storage"). */
export interface EspStorage {
  read(name: string, offset?: number, length?: number): string | undefined;
  write(name: string, data: string, offset?: number, size?: number): boolean;
  erase(name: string): void;
}

/** require("heatshrink"). */
export interface EspHeatshrink {
  compress(data: Uint8Array): ArrayBuffer;
  decompress(data: Uint8Array): ArrayBuffer;
}

/** An SPI bus (`new SPI()`, software SPI on any pins). */
export interface EspSpi {
  setup(options: { sck: string; miso: string; mosi: string; baud?: number; mode?: number }): void;
  send(data: Uint8Array, nss: string): Uint8Array;
}

export interface EspEventSource {
  on(event: string, fn: (x: unknown) => void): void;
}

export interface Esp8266 {
  getResetInfo(): { reason: string; exccause?: number; epc1?: number };
}
