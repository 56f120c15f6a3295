// A panic only programs: no erase, no read-back, only the record's own bytes. On the
// simulated clock its cost stays within 5% of programming those bytes once.
import { describe, expect, it } from "vitest";
import { HEADER_SIZE, alignUp } from "../src/core/record.js";
import { getPart } from "../src/boards/parts.js";
import { bootBoard, newFlash } from "./helpers/model.js";
import type { FlashGeometry } from "../src/core/flash.js";

/** What programming the record's bytes [0, end) once costs: one program per page it spans. */
function programOnceUs(partName: string, g: FlashGeometry, base: number, end: number): number {
  const part = getPart(partName);
  let us = 0;
  for (let a = base; a < base + end;) {
    const n = Math.min(base + end - a, g.pageSize - (a % g.pageSize));
    us += part.programUs(n, "typical");
    a += n;
  }
  return us;
}

describe.each([
  [
    "w25q128jv",
    { size: 8 * 4096, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff },
    1024,
  ],
  [
    "w25q128jv",
    { size: 4 * 4096, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff },
    4096,
  ],
  [
    "nrf52840",
    { size: 4 * 4096, eraseSize: 4096, progUnit: 4, pageSize: 4096, erasedValue: 0xff },
    1024,
  ],
  [
    "stm32f4",
    { size: 3 * 16384, eraseSize: 16384, progUnit: 4, pageSize: 16384, erasedValue: 0xff },
    2048,
  ],
] as const)("panic on %s, %o, %i-byte records", (part, geometry, recordSize) => {
  it("programs only the record's bytes, erases nothing, costs within 5% of one program pass", () => {
    const flash = newFlash(geometry, { part });
    const b = bootBoard(flash, recordSize, { loopThreshold: 0 }, 8192);
    for (let i = 0; i < 300; i++)
      b.ring.write("line " + i + " of the console before the crash\r\n");
    // A few records first, so the panic lands mid-partition.
    for (let i = 0; i < 3; i++) {
      b.log.panic('{"msg":"warm-up"}');
      b.sched.runAll();
    }
    const slot = b.log.nextSlot;
    const s0 = flash.stats;
    const t0 = flash.elapsedUs;
    expect(b.log.panic('{"msg":"fatal"}')).toBe(true);
    const s1 = flash.stats;
    const spent = flash.elapsedUs - t0;
    expect(s1.erases - s0.erases).toBe(0);
    expect(s1.reads - s0.reads).toBe(0);
    const payload = flash.peek(slot * recordSize + 44, 2);
    const end = alignUp(HEADER_SIZE + (payload[0]! | (payload[1]! << 8)), geometry.progUnit);
    // Only the record's own bytes: [16, end) plus the commit unit; never the rest of the slot.
    expect(s1.programBytes - s0.programBytes).toBe(end - 16 + Math.max(4, geometry.progUnit));
    expect(end).toBeGreaterThan(recordSize * 0.9); // the console filled the record
    const once = programOnceUs(part, geometry, slot * recordSize, end);
    expect(spent / once).toBeLessThanOrEqual(1.05);
  });
});
