// The Flash contract run against the simulator, for the geometries the log meets.

import type { FlashGeometry } from "../src/core/flash.js";
import { SimulatedNorFlash } from "../src/sim/nor-flash.js";
import { describeFlashContract } from "./flash-contract.js";

interface Case {
  name: string;
  geometry: FlashGeometry;
  part: string;
}

const cases: Case[] = [
  {
    name: "W25Q-like SPI NOR (4 KB sectors, 256 B pages, progUnit 1)",
    geometry: { size: 64 * 1024, eraseSize: 4096, pageSize: 256, progUnit: 1, erasedValue: 0xff },
    part: "w25q128jv",
  },
  {
    name: "nRF52-like internal (4 KB pages, progUnit 4)",
    geometry: { size: 16 * 1024, eraseSize: 4096, pageSize: 4096, progUnit: 4, erasedValue: 0xff },
    part: "nrf52840",
  },
  {
    name: "Espruino Linux-like (1 KB pages, progUnit 4)",
    geometry: { size: 8 * 1024, eraseSize: 1024, pageSize: 1024, progUnit: 4, erasedValue: 0xff },
    part: "linux-file",
  },
  {
    name: "progUnit 8 (2 KB pages)",
    geometry: { size: 32 * 1024, eraseSize: 2048, pageSize: 2048, progUnit: 8, erasedValue: 0xff },
    part: "linux-file",
  },
  {
    name: "progUnit 2, 64 B pages, erasedValue 0x00",
    geometry: { size: 4 * 512, eraseSize: 512, pageSize: 64, progUnit: 2, erasedValue: 0x00 },
    part: "linux-file",
  },
  {
    name: "one block only (STM32F4 16 KB sector)",
    geometry: { size: 16384, eraseSize: 16384, pageSize: 16384, progUnit: 4, erasedValue: 0xff },
    part: "stm32f4",
  },
];

for (const c of cases) {
  describeFlashContract(
    "SimulatedNorFlash strict, " + c.name,
    () => new SimulatedNorFlash({ geometry: c.geometry, part: c.part, strict: true }),
  );
  describeFlashContract(
    "SimulatedNorFlash non-strict, " + c.name,
    () => new SimulatedNorFlash({ geometry: c.geometry, part: c.part, timing: "worst" }),
    { reprogram: true },
  );
}

// A clone must behave like a fresh flash too (copy-on-write blocks shared with its parent).
describeFlashContract(
  "SimulatedNorFlash clone, W25Q-like",
  () => {
    const parent = new SimulatedNorFlash({
      geometry: { size: 32 * 1024, eraseSize: 4096, pageSize: 256, progUnit: 1, erasedValue: 0xff },
      part: "w25q128jv",
    });
    parent.program(4096, new Uint8Array(256).fill(0x12));
    const child = parent.clone();
    parent.erase(0);
    parent.program(0, new Uint8Array(256).fill(0x34));
    return child;
  },
  { reprogram: true },
);
