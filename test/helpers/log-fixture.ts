// Geometries and helpers most log tests (and the simulator's own: NOR_4K is a W25Q-like
// SPI NOR, NRF_4K an nRF52's internal flash) share. Booting a board (a CrashLog over a
// SimulatedNorFlash with a virtual scheduler) is bootBoard in ./model.js.

import type { CrashLog } from "../../src/core/log.js";
import type { FlashGeometry } from "../../src/core/flash.js";

export const NOR_4K: FlashGeometry = {
  size: 8 * 4096,
  eraseSize: 4096,
  progUnit: 1,
  pageSize: 256,
  erasedValue: 0xff,
};
export const NRF_4K: FlashGeometry = {
  size: 4 * 4096,
  eraseSize: 4096,
  progUnit: 4,
  pageSize: 4096,
  erasedValue: 0xff,
};
export const SMALL: FlashGeometry = {
  size: 4 * 512,
  eraseSize: 512,
  progUnit: 4,
  pageSize: 256,
  erasedValue: 0xff,
};

export function liveSeqs(log: CrashLog): number[] {
  const out: number[] = [];
  log.forEach((r) => out.push(r.record.seq));
  return out;
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}
