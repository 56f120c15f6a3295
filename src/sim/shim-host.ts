// What the Espruino shim (src/sim/espruino-shim.ts) needs from the board around it: the
// virtual board (src/sim/virtual-board.ts) implements it. Host-only.

import type { BoardDefinition } from "../boards/schema.js";
import type { SimulatedNorFlash } from "./nor-flash.js";
import type { VirtualStorage } from "./virtual-storage.js";

/**
 * JsVars process.memory() counts beyond the firmware's own (a fixed 300: JsVars are not
 * modelled one by one). Espruino frees a variable when its last reference goes, but not a
 * reference cycle, which stays allocated until the garbage collector runs: at idle when
 * memory is low, when an allocation finds none free, or in process.memory() without
 * `false` (src/jswrap_process.c). process.memory(false) counts the cycles as used.
 */
export interface JsVarModel {
  /** Held by the app: not freed by a collection. */
  held: number;
  /** Reference cycles the app dropped, not yet collected. */
  garbage: number;
}

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
  /** What process.memory() counts beyond the firmware's own; tests set it. */
  readonly memory: JsVarModel;
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
