// programOnceUs, the panic benchmark's minimum: one program per page the range touches, at
// the part's figures, the same time the simulated flash charges for those programs.
import { describe, expect, it } from "vitest";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { getPart } from "../../src/boards/parts.js";
import { minErasesPerRecord, programOnceUs } from "./limits.js";

const NOR = { size: 4 * 4096, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff };

describe("programOnceUs", () => {
  it("charges one program setup per page touched", () => {
    const part = getPart("w25q128jv");
    expect(programOnceUs(part, NOR, 0, 256)).toBeCloseTo(part.programUs(256, "typical"), 9);
    // 100 bytes across a page boundary: two programs.
    expect(programOnceUs(part, NOR, 200, 100)).toBeCloseTo(
      part.programUs(56, "typical") + part.programUs(44, "typical"),
      9,
    );
    expect(programOnceUs(part, NOR, 0, 0)).toBe(0);
    expect(programOnceUs(part, NOR, 0, 512, "worst")).toBeCloseTo(
      2 * part.programUs(256, "worst"),
      9,
    );
  });

  it("equals what the simulated flash charges for the same page programs", () => {
    for (const name of ["w25q128jv", "nrf52832", "stm32f4", "linux-file"]) {
      const part = getPart(name);
      const g = { ...part.geometry, size: 4 * part.geometry.eraseSize };
      const flash = new SimulatedNorFlash({ geometry: g, part });
      const addr = g.progUnit * 3;
      const len = g.progUnit * 300;
      const t0 = flash.elapsedUs;
      for (let a = addr; a < addr + len;) {
        const n = Math.min(addr + len - a, g.pageSize - (a % g.pageSize));
        flash.program(a, new Uint8Array(n));
        a += n;
      }
      expect(flash.elapsedUs - t0).toBeCloseTo(programOnceUs(part, g, addr, len), 6);
    }
  });

  it("refuses a negative range", () => {
    expect(() => programOnceUs(getPart("w25q128jv"), NOR, 0, -1)).toThrow(RangeError);
  });
});

describe("minErasesPerRecord", () => {
  it("is one erase per block of slots", () => {
    expect(minErasesPerRecord(NOR, 1024)).toBe(0.25);
    expect(minErasesPerRecord(NOR, 4096)).toBe(1);
  });
});
