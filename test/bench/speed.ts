// Simulator speed on this machine: flash operations per second of real time, and power-loss
// scenarios per second of the sweep (test/powerloss/sweep.ts). Absolute and machine-bound,
// reported, not judged. Host-only; bench code.

import { performance } from "node:perf_hooks";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { runSweep } from "../powerloss/sweep.js";

/** Reads, programs and erases per second on a 64 KB SPI NOR partition, for about `budgetMs` of real time. */
export function measureSimOps(
  budgetMs: number,
  now: () => number = () => performance.now(),
): number {
  const geometry = {
    size: 16 * 4096,
    eraseSize: 4096,
    progUnit: 1,
    pageSize: 256,
    erasedValue: 0xff,
  };
  const flash = new SimulatedNorFlash({ geometry, part: "w25q128jv", strict: true });
  const page = new Uint8Array(256).fill(0x5a);
  let ops = 0;
  const t0 = now();
  let t = t0;
  for (let round = 0; t - t0 < budgetMs; round++) {
    const block = round % 16;
    flash.erase(block * 4096);
    for (let p = 0; p < 16; p++) flash.program(block * 4096 + p * 256, page);
    for (let p = 0; p < 16; p++) flash.read(block * 4096 + p * 256, 256);
    ops += 33;
    t = now();
  }
  return ops / ((t - t0) / 1000);
}

/** Power-loss scenarios per second: the sweep over its geometries with the given seeds. */
export function measurePowerloss(
  seeds: number[],
  now: () => number = () => performance.now(),
): { perSecond: number; scenarios: number; lost: number; corrupt: number } {
  const t0 = now();
  const r = runSweep({ seeds });
  const s = (now() - t0) / 1000;
  return { perSecond: r.scenarios / s, scenarios: r.scenarios, lost: r.lost, corrupt: r.corrupt };
}
