// The host CRC helpers agree with the core's crc32 (the one the board and the format use):
// the table-driven crc32Fast on any bytes, and CrcIndex on any range of an image.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "../src/core/crc32.js";
import { CrcIndex, crc32Fast } from "../src/host/crc-index.js";

describe("host CRC-32", () => {
  it('crc32Fast is zlib\'s CRC-32 (check value of "123456789")', () => {
    expect(crc32Fast(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("crc32Fast and CrcIndex.crc(a, b) equal the core crc32 of the same bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 3000 }),
        fc.nat(),
        fc.nat(),
        (bytes, x, y) => {
          const a = bytes.length === 0 ? 0 : x % (bytes.length + 1);
          const b = a + (bytes.length - a === 0 ? 0 : y % (bytes.length - a + 1));
          const want = crc32(bytes.subarray(a, b));
          expect(crc32Fast(bytes.subarray(a, b))).toBe(want);
          expect(new CrcIndex(bytes).crc(a, b)).toBe(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});
