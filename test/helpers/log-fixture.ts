// A CrashLog over a SimulatedNorFlash with a virtual scheduler: what most log tests need.

import { CrashLog } from "../../src/core/log.js";
import type { LogOptions } from "../../src/core/log.js";
import { ConsoleRing } from "../../src/core/ring.js";
import type { FlashGeometry } from "../../src/core/flash.js";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import type { SimulatedNorFlashOptions } from "../../src/sim/nor-flash.js";
import { VirtualScheduler } from "../../src/sim/virtual-scheduler.js";

export const NOR_4K: FlashGeometry = { size: 8 * 4096, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff };
export const NRF_4K: FlashGeometry = { size: 4 * 4096, eraseSize: 4096, progUnit: 4, pageSize: 4096, erasedValue: 0xff };
export const SMALL: FlashGeometry = { size: 4 * 512, eraseSize: 512, progUnit: 4, pageSize: 256, erasedValue: 0xff };

export interface Board {
  flash: SimulatedNorFlash;
  sched: VirtualScheduler;
  ring: ConsoleRing;
  log: CrashLog;
}

export type LogExtras = Partial<Omit<LogOptions, "flash" | "scheduler" | "clock" | "ring">>;

export function makeFlash(geometry: FlashGeometry, opts: Partial<SimulatedNorFlashOptions> = {}): SimulatedNorFlash {
  return new SimulatedNorFlash({ geometry, strict: true, ...opts });
}

/** Boots a board on `flash`: fresh RAM (ring, scheduler), the log mounted. */
export function boot(flash: SimulatedNorFlash, recordSize: number, extras: LogExtras = {}, ringSize = 2048): Board {
  const sched = new VirtualScheduler(1_764_115_200_000);
  const ring = new ConsoleRing(ringSize);
  const log = new CrashLog({ flash, recordSize, scheduler: sched, clock: sched, ring, ...extras } as LogOptions);
  log.mount();
  return { flash, sched, ring, log };
}

export function liveSeqs(log: CrashLog): number[] {
  const out: number[] = [];
  log.forEach((r) => out.push(r.record.seq));
  return out;
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}
