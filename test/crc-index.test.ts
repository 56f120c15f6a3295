// CrcIndex (src/host/crc-index.ts) agrees with the core's crc32 (zlib's, the format's) on
// any range of an image.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "../src/core/crc32.js";
import { CrcIndex } from "../src/host/crc-index.js";

describe("CrcIndex", () => {
  it("CrcIndex.crc(a, b) equals the core crc32 of the same bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 3000 }),
        fc.nat(),
        fc.nat(),
        (bytes, x, y) => {
          const a = bytes.length === 0 ? 0 : x % (bytes.length + 1);
          const b = a + (bytes.length - a === 0 ? 0 : y % (bytes.length - a + 1));
          const want = crc32(bytes.subarray(a, b));
          expect(new CrcIndex(bytes).crc(a, b)).toBe(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});
