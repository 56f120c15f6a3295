// The wire benchmark: it counts every byte of a real retrieval from the virtual board (the
// command and each line the firmware printed), and the console text of the records it got.
import { describe, expect, it } from "vitest";
import { loadBoard } from "../../src/boards/load.js";
import { BLE_20B, SERIAL_115200 } from "./limits.js";
import { measureWire, retrievalTimeRatio } from "./wire.js";

describe("measureWire on the virtual Puck.js", () => {
  const puck = loadBoard("puckjs");
  const w = measureWire(puck, 3);

  it("retrieves the crashes that fill the partition, with their console", () => {
    expect(w.records).toBeGreaterThanOrEqual(8);
    expect(w.logBytes).toBeGreaterThan(w.records * 500);
  });

  it("counts the command and every byte printed", () => {
    const printed = w.plainChunks.reduce((s, c) => s + c.bytes, 0);
    expect(w.plainWireBytes).toBe(printed + w.plainCommandBytes);
    expect(w.plainCommandBytes).toBe("\x10mtdoops.dump(-1,0)\n".length);
    // base64 lines of records of at most 1 KB each: above 4/3 of the log only when records hold less text than bytes
    expect(w.plainWireBytes).toBeGreaterThan(w.records * 100);
    expect(w.compressedCommandBytes).toBe("\x10mtdoops.dump(-1,1)\n".length);
  });

  it("times the retrieval at no less than line rate", () => {
    for (const link of [SERIAL_115200, BLE_20B]) {
      expect(retrievalTimeRatio(link, w.plainCommandBytes, w.plainChunks)).toBeGreaterThanOrEqual(
        1 - 1e-9,
      );
    }
  });
});
