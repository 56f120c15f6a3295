// Timing figures of the flash parts the simulator can stand in for.
//
// Host-only. Each part gives a typical and a worst-case figure for every operation; the
// simulator charges one of them to its clock per operation. Each part names its sources
// below: the manufacturer's datasheet or reference manual (Winbond W25Q128JV, Nordic nRF52832
// and nRF52840 product specifications, ST RM0383/DS10314, Espressif's esp-idf spi_flash
// driver), Espruino's boards/*.py for the page sizes it uses; a figure marked
// "(unverified)" was not read from the primary datasheet, and one marked "(estimate)" is
// ours, chosen to be plausible, not taken from any document.
//
// The model is linear and deliberately simple:
//   programUs(bytes) = programSetupUs + programPerByteUs * bytes
//   eraseUs(blockSize) from a table of the part's erase units (see eraseTime below)
//   readUs(bytes)    = readSetupUs + readPerByteUs * bytes
// A program's bus transfer time is not included (the datasheet's tPP starts once the
// data is in the chip's page buffer); a read's is, since a read is nothing but transfer.

import type { FlashGeometry } from "../core/flash.js";

/** Which figure of a part the simulator charges: the typical one or the worst case. */
export type Timing = "typical" | "worst";

/** The figures behind one timing column of a part. All times in microseconds. */
export interface PartFigures {
  readonly programSetupUs: number;
  readonly programPerByteUs: number;
  /** Erase time per erase-unit size in bytes, smallest unit first. */
  readonly erase: readonly { readonly size: number; readonly us: number }[];
  readonly readSetupUs: number;
  readonly readPerByteUs: number;
}

/** A flash part: its timing model and the block layout it usually has. */
export interface FlashPart {
  readonly name: string;
  readonly description: string;
  /** The part's usual units (add `size` to get a FlashGeometry); a hint for tests. */
  readonly geometry: Omit<FlashGeometry, "size">;
  /** Rated erase cycles per block (informative; the simulator's endurance is an option). */
  readonly enduranceCycles: number;
  readonly typical: PartFigures;
  readonly worst: PartFigures;
  /** Time to program `bytes` bytes in one operation. */
  programUs(bytes: number, timing: Timing): number;
  /** Time to erase one block of `blockSize` bytes. */
  eraseUs(blockSize: number, timing: Timing): number;
  /** Time to read `bytes` bytes in one operation. */
  readUs(bytes: number, timing: Timing): number;
}

/**
 * Erase time of a block from a part's table of erase units: the largest unit that fits in
 * the block, once per unit needed to cover it (an 8 KB block on a part with 4 KB sectors
 * costs two sector erases). A block smaller than the smallest unit costs one smallest
 * unit: the part cannot erase less.
 */
function eraseTime(table: PartFigures["erase"], blockSize: number): number {
  let chosen = table[0];
  if (chosen === undefined) throw new Error("flash part has no erase figures");
  for (const entry of table) {
    if (entry.size <= blockSize) chosen = entry;
  }
  return chosen.us * Math.max(1, Math.ceil(blockSize / chosen.size));
}

function makePart(spec: Omit<FlashPart, "programUs" | "eraseUs" | "readUs">): FlashPart {
  return {
    ...spec,
    programUs(bytes: number, timing: Timing): number {
      const f = timing === "worst" ? spec.worst : spec.typical;
      return f.programSetupUs + f.programPerByteUs * bytes;
    },
    eraseUs(blockSize: number, timing: Timing): number {
      return eraseTime((timing === "worst" ? spec.worst : spec.typical).erase, blockSize);
    },
    readUs(bytes: number, timing: Timing): number {
      const f = timing === "worst" ? spec.worst : spec.typical;
      return f.readSetupUs + f.readPerByteUs * bytes;
    },
  };
}

// SPI reads at 8 MHz on one data line: 1 us per byte, plus the 4-byte command and address
// (4 us) and chip-select overhead; 5 us in all (estimate; Espruino's software or hardware
// SPI at 8 MHz: 8 bits a byte at 8 Mbit/s is 1 us a byte, so 4 KB takes about 4 ms).
const SPI_8MHZ_READ = { readSetupUs: 5, readPerByteUs: 1 } as const;

/** Memory-mapped reads: about one CPU cycle per byte at `mhz`, plus 0.1 us (estimate). */
function memoryMappedRead(mhz: number): Pick<PartFigures, "readSetupUs" | "readPerByteUs"> {
  return { readSetupUs: 0.1, readPerByteUs: 1 / mhz };
}

// W25Q128JV typical page program: setup = tBP1 (30 us), and the per-byte rate chosen so
// that a full 256 B page costs exactly tPP (400 us); the sources are with the part below.
const W25Q_TYPICAL_PROGRAM = { programSetupUs: 30, programPerByteUs: (400 - 30) / 256 } as const;

/** nRF52 internal flash: 4 KB pages, 32-bit words, 41 us per word, reads at 64 MHz. */
const NRF52_GEOMETRY = { eraseSize: 4096, pageSize: 4096, progUnit: 4, erasedValue: 0xff };
function nrf52Figures(pageEraseUs: number): PartFigures {
  return {
    programSetupUs: 0,
    programPerByteUs: 41 / 4,
    erase: [{ size: 4096, us: pageEraseUs }],
    ...memoryMappedRead(64),
  };
}

/** The parts the simulator knows, by name. */
export const parts: Readonly<Record<string, FlashPart>> = {
  // Winbond W25Q128JV, SPI NOR (Bangle.js 2, boards with an external W25Q).
  // Geometry (256 B page, 4 KB sector, 32/64 KB blocks): datasheet general description.
  // tPP 0.4 ms typ / 3 ms max per page; tBP1 (first byte) 30 / 50 us; tBP2 (next bytes)
  // 2.5 / 12 us; tSE 4 KB 45 / 400 ms; tBE1 32 KB 120 / 1600 ms; tBE2 64 KB 150 / 2000 ms:
  // Winbond "AC Electrical Characteristics" table as commonly reproduced (unverified).
  // Endurance >= 100k cycles (datasheet). Program model: setup = tBP1, and the per-byte
  // rate is chosen so that a full 256 B page costs exactly tPP: (400 - 30) / 256 us typ,
  // (3000 - 50) / 256 us max. (tBP2 would predict more than tPP for a full page; tPP is
  // the figure a full-page program is specified by.)
  w25q128jv: makePart({
    name: "w25q128jv",
    description: "Winbond W25Q128JV SPI NOR flash (256 B pages, 4 KB sectors), SPI at 8 MHz",
    geometry: { eraseSize: 4096, pageSize: 256, progUnit: 1, erasedValue: 0xff },
    enduranceCycles: 100_000,
    typical: {
      ...W25Q_TYPICAL_PROGRAM,
      erase: [
        { size: 4096, us: 45_000 },
        { size: 32768, us: 120_000 },
        { size: 65536, us: 150_000 },
      ],
      ...SPI_8MHZ_READ,
    },
    worst: {
      programSetupUs: 50,
      programPerByteUs: (3000 - 50) / 256,
      erase: [
        { size: 4096, us: 400_000 },
        { size: 32768, us: 1_600_000 },
        { size: 65536, us: 2_000_000 },
      ],
      ...SPI_8MHZ_READ,
    },
  }),

  // Nordic nRF52832 internal flash (Puck.js, Pixl.js, MDBT42Q). 4 KB pages, 32-bit words.
  // Page erase 85 ms (nRF52 product specification as quoted for the family); worst case
  // 89.7 ms, Zephyr's FLASH_PAGE_ERASE_MAX_TIME_US for nRF52 (soc/nordic/nrf52/soc.h).
  // Word write 41 us: the nRF52840 figure; the nRF52832 tWRITE was not retrieved
  // (unverified), used for both columns. Endurance 10k cycles (devzone). Reads are
  // memory-mapped: 64 MHz CPU, about one cycle per byte (estimate).
  nrf52832: makePart({
    name: "nrf52832",
    description: "Nordic nRF52832 internal flash (4 KB pages, 32-bit words)",
    geometry: NRF52_GEOMETRY,
    enduranceCycles: 10_000,
    typical: nrf52Figures(85_000),
    worst: nrf52Figures(89_700),
  }),

  // Nordic nRF52840 internal flash (Bangle.js 1, MDBT50Q). tERASEPAGE 85 ms (nrf-hal PR
  // #385 quoting the PS); tWRITE 41 us per word ("nRF52840 PS v1.11" quoted in third-party
  // code, unverified). The PS gives these as maxima; no typical figure was found, so both
  // columns use them. Endurance 10k cycles. Reads as nRF52832 (estimate).
  nrf52840: makePart({
    name: "nrf52840",
    description: "Nordic nRF52840 internal flash (4 KB pages, 32-bit words)",
    geometry: NRF52_GEOMETRY,
    enduranceCycles: 10_000,
    typical: nrf52Figures(85_000),
    worst: nrf52Figures(85_000),
  }),

  // ST STM32F4 internal flash (Espruino Pico: F401; Espruino WiFi: F411), x32 parallelism.
  // Word program 16 us typ / 100 us max; sector erase 16 KB 250 / 500 ms, 64 KB 550 /
  // 1100 ms, 128 KB 1000 / 2000 ms (DS10086 / DS10314 as transcribed by third parties,
  // unverified; the F405 DS8626 Table 40 agrees on 128 KB and 100 us). Endurance 10k.
  // The geometry hint is a 16 KB sector; the Pico's only free region is one 128 KB sector.
  // Reads are memory-mapped at 84-100 MHz with the ART cache (estimate).
  stm32f4: makePart({
    name: "stm32f4",
    description: "ST STM32F4 internal flash, x32 (16/64/128 KB sectors, 32-bit words)",
    geometry: { eraseSize: 16384, pageSize: 16384, progUnit: 4, erasedValue: 0xff },
    enduranceCycles: 10_000,
    typical: {
      programSetupUs: 0,
      programPerByteUs: 16 / 4,
      erase: [
        { size: 16384, us: 250_000 },
        { size: 65536, us: 550_000 },
        { size: 131072, us: 1_000_000 },
      ],
      ...memoryMappedRead(84),
    },
    worst: {
      programSetupUs: 0,
      programPerByteUs: 100 / 4,
      erase: [
        { size: 16384, us: 500_000 },
        { size: 65536, us: 1_100_000 },
        { size: 131072, us: 2_000_000 },
      ],
      ...memoryMappedRead(84),
    },
  }),

  // ESP32 external SPI NOR (4 KB sectors, 256 B pages; Espruino's ESP32 build). Typical:
  // the W25Q128JV figures above (the module's chip varies). Worst: ESP-IDF's driver
  // timeouts (components/spi_flash/include/spi_flash_mmap.h, spi_flash_chip_generic.c):
  // page program 500 ms, sector erase 600 ms, 64 KB block erase 4100 ms. Those are the
  // longest the driver waits before it gives up, not datasheet maxima. Reads: IDF reads
  // at 40 MHz on two lines (DIO), 0.1 us per byte, plus about 10 us of driver and command
  // overhead (estimate).
  esp32: makePart({
    name: "esp32",
    description: "ESP32 module SPI NOR flash (W25Q-like typical; ESP-IDF timeouts as worst)",
    geometry: { eraseSize: 4096, pageSize: 256, progUnit: 1, erasedValue: 0xff },
    enduranceCycles: 100_000,
    typical: {
      ...W25Q_TYPICAL_PROGRAM,
      erase: [
        { size: 4096, us: 45_000 },
        { size: 65536, us: 150_000 },
      ],
      readSetupUs: 10,
      readPerByteUs: 0.1,
    },
    worst: {
      programSetupUs: 50,
      programPerByteUs: (500_000 - 50) / 256,
      erase: [
        { size: 4096, us: 600_000 },
        { size: 65536, us: 4_100_000 },
      ],
      readSetupUs: 10,
      readPerByteUs: 0.1,
    },
  }),

  // Espruino's Linux build: "flash" is a file on the host (1 KB pages, 256 KB). Its cost is
  // a file write, not a physical operation, so the figures are tiny placeholders (estimate)
  // that keep the clock moving; the worst case is ten times the typical one.
  "linux-file": makePart({
    name: "linux-file",
    description: "Espruino Linux build's fake flash file (1 KB pages); near-zero timings",
    geometry: { eraseSize: 1024, pageSize: 1024, progUnit: 1, erasedValue: 0xff },
    enduranceCycles: 1_000_000,
    typical: {
      programSetupUs: 1,
      programPerByteUs: 0.01,
      erase: [{ size: 1024, us: 10 }],
      readSetupUs: 1,
      readPerByteUs: 0.01,
    },
    worst: {
      programSetupUs: 10,
      programPerByteUs: 0.1,
      erase: [{ size: 1024, us: 100 }],
      readSetupUs: 10,
      readPerByteUs: 0.1,
    },
  }),
};

/** The names `getPart` accepts. */
export const partNames: readonly string[] = Object.keys(parts);

/** The part called `name`; throws an Error listing the known names when there is none. */
export function getPart(name: string): FlashPart {
  const part = Object.prototype.hasOwnProperty.call(parts, name) ? parts[name] : undefined;
  if (part === undefined) {
    throw new Error('unknown flash part "' + name + '"; known parts: ' + partNames.join(", "));
  }
  return part;
}
