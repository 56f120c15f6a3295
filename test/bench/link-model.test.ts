// The link model behind retrievalTimeRatio: a serial line sends queued bytes back to back;
// BLE sends one notification of up to 20 bytes per connection event.
import { describe, expect, it } from "vitest";
import { BLE_20B, SERIAL_115200, lineRateBytesPerMs, lineTimeMs, transferEndMs } from "./limits.js";
import { retrievalTimeRatio } from "./wire.js";

describe("serial 115200 8N1", () => {
  it("carries 11.52 bytes a millisecond", () => {
    expect(lineRateBytesPerMs(SERIAL_115200)).toBeCloseTo(11.52, 9);
    expect(lineTimeMs(SERIAL_115200, 1152)).toBeCloseTo(100, 9);
  });

  it("sends queued chunks back to back and idles between late ones", () => {
    expect(
      transferEndMs(SERIAL_115200, [
        { atMs: 0, bytes: 1152 },
        { atMs: 50, bytes: 1152 },
      ]),
    ).toBeCloseTo(200, 9);
    expect(
      transferEndMs(SERIAL_115200, [
        { atMs: 0, bytes: 1152 },
        { atMs: 300, bytes: 1152 },
      ]),
    ).toBeCloseTo(400, 9);
    expect(transferEndMs(SERIAL_115200, [])).toBe(0);
  });
});

describe("BLE, 20-byte notifications every 7.5 ms", () => {
  it("needs one event per 20 bytes, a partial notification for the rest", () => {
    expect(transferEndMs(BLE_20B, [{ atMs: 0, bytes: 40 }])).toBeCloseTo(15, 9);
    expect(transferEndMs(BLE_20B, [{ atMs: 0, bytes: 41 }])).toBeCloseTo(22.5, 9);
  });

  it("waits for the next event when bytes arrive between events", () => {
    // 10 bytes at 0 (event 0), 10 more at 1 ms: they wait for the event at 7.5 ms.
    expect(
      transferEndMs(BLE_20B, [
        { atMs: 0, bytes: 10 },
        { atMs: 1, bytes: 10 },
      ]),
    ).toBeCloseTo(15, 9);
    // a chunk long after: sent at the first event at or after it
    expect(
      transferEndMs(BLE_20B, [
        { atMs: 0, bytes: 20 },
        { atMs: 100, bytes: 20 },
      ]),
    ).toBeCloseTo(105 + 7.5, 9);
  });
});

describe("retrievalTimeRatio", () => {
  it("is 1 when everything is ready at once and fills whole packets", () => {
    expect(retrievalTimeRatio(SERIAL_115200, 20, [{ atMs: 0, bytes: 5000 }])).toBeCloseTo(1, 9);
    expect(retrievalTimeRatio(BLE_20B, 20, [{ atMs: 0, bytes: 400 }])).toBeCloseTo(1, 9);
  });

  it("grows with partial packets and with a board that is slow to print", () => {
    expect(retrievalTimeRatio(BLE_20B, 20, [{ atMs: 0, bytes: 401 }])).toBeGreaterThan(1);
    const slow = retrievalTimeRatio(SERIAL_115200, 20, [
      { atMs: 0, bytes: 100 },
      { atMs: 1000, bytes: 100 },
    ]);
    expect(slow).toBeGreaterThan(10);
  });
});
