// The firmware's compressor (firmware/env.ts compress()) pads what it compresses with one
// byte, so that Espruino's compress(), which can drop the last byte it is given, never
// drops one of the data; readers drop the padding (unpadded() in src/core/record.ts,
// SPEC.md §2.4 and §7.1). Run in the virtual board, whose heatshrink module makes
// Espruino's output byte for byte, the lost byte included (test/heatshrink.test.ts checks
// it against the interpreter's own output on the vectors used here).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadBoard } from "../src/boards/load.js";
import { heatshrinkCompressInfo, heatshrinkDecompress } from "../src/codec/heatshrink.js";
import { unpadded } from "../src/core/record.js";
import { repoRoot } from "../src/host/repo.js";
import { VirtualBoard } from "../src/sim/virtual-board.js";
import { expectBytes } from "./flash-contract.js";
import { compressorBundle } from "./helpers/firmware.js";

const root = repoRoot();
const board = loadBoard("linux");

// The firmware's compressor, handed to the test by a stand-in entry.
const BUNDLE = await compressorBundle(board);

interface Vector {
  inputBase64: string;
  espruinoDropsFinalByte: boolean;
}
const vector = (name: string): Uint8Array => {
  const v = JSON.parse(
    readFileSync(join(root, "test", "vectors", "heatshrink", name + ".json"), "utf8"),
  ) as Vector;
  return Uint8Array.from(Buffer.from(v.inputBase64, "base64"));
};

function boardWithCompressor(): VirtualBoard {
  const vb = new VirtualBoard({ board, firmware: BUNDLE });
  vb.boot();
  return vb;
}

/** `data` compressed in the virtual board by `fn` (an expression over `__in`), decoded on the host. */
function roundTrip(vb: VirtualBoard, fn: string, data: Uint8Array): Uint8Array {
  vb.eval("global.__in=new Uint8Array(" + JSON.stringify(Array.from(data)) + ")");
  const out = vb.eval("Array.from(new Uint8Array(" + fn + "))") as number[];
  return heatshrinkDecompress(Uint8Array.from(out), { strict: false });
}

describe("the firmware's compressor", () => {
  it("keeps every byte of an input whose last byte Espruino's compress() drops", () => {
    const input = vector("interp-quirk-multiblock");
    const vb = boardWithCompressor();
    // The interpreter's own compress() loses the last byte of this input...
    const plain = roundTrip(vb, "require('heatshrink').compress(__in)", input);
    expect(plain.length).toBe(input.length - 1);
    // ...and the firmware's, which compresses one byte more, none.
    const decoded = roundTrip(vb, "__compress(__in)", input);
    expectBytes(unpadded(decoded, input.length) as Uint8Array, input);
  });

  it("where the quirk falls on the padding, loses the padding only", () => {
    // The first prefix of the vector that, padded, Espruino's compress() cuts short (found
    // with the codec, which reproduces the cut: test/heatshrink.test.ts).
    const all = vector("interp-quirk-multiblock");
    let k = 1;
    const padded = (n: number): Uint8Array => {
      const p = new Uint8Array(n + 1);
      p.set(all.subarray(0, n));
      return p;
    };
    while (k < all.length && !heatshrinkCompressInfo(padded(k)).espruinoDropsFinalByte) k++;
    expect(k).toBeLessThan(all.length);
    const input = all.subarray(0, k);
    const decoded = roundTrip(boardWithCompressor(), "__compress(__in)", input);
    expect(decoded.length).toBe(input.length);
    expectBytes(unpadded(decoded, input.length) as Uint8Array, input);
  });

  it("decodes to the input and its byte of padding where nothing is dropped", () => {
    const input = new TextEncoder().encode("app line 1 with some text\n".repeat(40));
    const decoded = roundTrip(boardWithCompressor(), "__compress(__in)", input);
    expect(decoded.length).toBe(input.length + 1);
    expectBytes(unpadded(decoded, input.length) as Uint8Array, input);
  });
});

describe("unpadded", () => {
  const bytes = Uint8Array.from([1, 2, 3, 4]);
  it("keeps a stream of the stated length, drops one byte of padding, refuses the rest", () => {
    expect(unpadded(bytes, 4)).toBe(bytes);
    expect(Array.from(unpadded(bytes, 3) ?? [])).toEqual([1, 2, 3]);
    expect(unpadded(bytes, 2)).toBeNull();
    expect(unpadded(bytes, 5)).toBeNull();
  });
});
