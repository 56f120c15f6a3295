// Decoding is linear in the image size whatever the bytes: an image that repeats a
// 32-byte pattern looking like a header that claims a 64 KB payload made the scan
// quadratic (a CRC over 64 KB at every offset: 15 s for 256 KB). The test measures the
// time per byte at two sizes in one run and compares them: quadratic work makes the
// larger image 16 times slower per byte; linear work keeps the ratio near 1.

import { describe, expect, it } from "vitest";
import { COMMIT_VALUE, MAGIC, putU32 } from "../src/core/record.js";
import { decodeImageDetailed } from "../src/host/decode-image.js";

/** Every 32 bytes: commit word, magic, version 1, header size 48, payload length 65456. */
function forgedHeaders(size: number): Uint8Array {
  const img = new Uint8Array(size).fill(0xff);
  for (let off = 0; off + 48 <= size; off += 32) {
    putU32(img, off, COMMIT_VALUE);
    putU32(img, off + 16, MAGIC);
    img[off + 24] = 1;
    img[off + 25] = 48;
    img[off + 12] = 0xb0; // the next pattern's byte 12 is this header's payloadLength (44)
    img[off + 13] = 0xff;
  }
  return img;
}

function msPerByte(img: Uint8Array): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = decodeImageDetailed(img);
    best = Math.min(best, performance.now() - t);
    expect(r.records).toEqual([]);
  }
  return best / img.length;
}

describe("decode time is linear in the image size", () => {
  it("repeated forged headers: 1 MB costs about as much per byte as 64 KB", () => {
    msPerByte(forgedHeaders(65536)); // warm-up (JIT)
    const small = msPerByte(forgedHeaders(65536));
    const large = msPerByte(forgedHeaders(1 << 20));
    // Quadratic work would make this ratio 16; allow noise from a shared machine.
    expect(large / small).toBeLessThan(6);
  });
});
