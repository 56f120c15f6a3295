import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HEATSHRINK_DEFAULT_MAX_OUTPUT,
  HeatshrinkError,
  heatshrinkCompress,
  heatshrinkCompressInfo,
  heatshrinkDecompress,
} from "../src/codec/heatshrink.js";

// ---------------------------------------------------------------------------------------
// Fixed vectors (test/vectors/heatshrink/*.json). `origin` says where the compressed bytes
// came from:
//   hand-from-c-source         worked out token by token from heatshrink_encoder.c and
//                              compress_heatshrink.c (see each `description`)
//   compiled-espruino-c        Espruino's own C sources built for the host
//                              (c-reference-harness.sh)
//   espruino-linux-interpreter the real `require("heatshrink")` in Espruino's Linux build

interface Vector {
  name: string;
  origin: "hand-from-c-source" | "compiled-espruino-c" | "espruino-linux-interpreter";
  description: string;
  inputBase64: string;
  compressedBase64: string;
  espruinoDropsFinalByte: boolean;
  /** What Espruino's decompress() returns, when that differs from the input. */
  espruinoDecompressedBase64?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const vectorDir = join(here, "vectors", "heatshrink");
const vectors: Vector[] = readdirSync(vectorDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(vectorDir, f), "utf8")) as Vector);

const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));
const toB64 = (a: Uint8Array): string => Buffer.from(a).toString("base64");
const hex = (a: Uint8Array): string => Buffer.from(a).toString("hex");
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

function expectTruncated(fn: () => unknown): HeatshrinkError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HeatshrinkError);
    expect((e as HeatshrinkError).code).toBe("TRUNCATED");
    return e as HeatshrinkError;
  }
  throw new Error("expected a TRUNCATED HeatshrinkError");
}

function checkVector(v: Vector): void {
  const input = fromB64(v.inputBase64);
  const compressed = fromB64(v.compressedBase64);
  const info = heatshrinkCompressInfo(input);
  expect(hex(info.bytes)).toBe(hex(compressed));
  expect(info.espruinoDropsFinalByte).toBe(v.espruinoDropsFinalByte);

  // What Espruino's decompress() gives back for the device's bytes.
  const espruinoOut =
    v.espruinoDecompressedBase64 !== undefined ? fromB64(v.espruinoDecompressedBase64) : input;
  expect(hex(heatshrinkDecompress(compressed, { strict: false }))).toBe(hex(espruinoOut));

  const fixed = heatshrinkCompress(input, { espruinoQuirks: false });
  expect(hex(heatshrinkDecompress(fixed))).toBe(hex(input));
  if (v.espruinoDropsFinalByte) {
    expect(espruinoOut.length).toBe(input.length - 1);
    expect(hex(fixed.subarray(0, compressed.length))).toBe(hex(compressed));
    expect(fixed.length).toBe(compressed.length + 1);
    const err = expectTruncated(() => heatshrinkDecompress(compressed));
    expect(hex(err.partial)).toBe(hex(espruinoOut));
  } else {
    expect(hex(fixed)).toBe(hex(compressed));
    expect(hex(heatshrinkDecompress(compressed))).toBe(hex(input));
  }
}

describe("heatshrink fixed vectors", () => {
  it("has vectors of each kind on disk", () => {
    expect(vectors.filter((v) => v.origin === "hand-from-c-source").length).toBeGreaterThanOrEqual(
      5,
    );
    expect(vectors.filter((v) => v.origin === "compiled-espruino-c").length).toBeGreaterThanOrEqual(
      3,
    );
    expect(
      vectors.filter((v) => v.origin === "espruino-linux-interpreter").length,
    ).toBeGreaterThanOrEqual(3);
    expect(vectors.some((v) => v.espruinoDropsFinalByte)).toBe(true);
  });

  describe("vectors worked out by hand from the C source (hand-from-c-source)", () => {
    for (const v of vectors.filter((x) => x.origin === "hand-from-c-source")) {
      it(v.name, () => checkVector(v));
    }
  });

  describe("vectors from Espruino's compiled C sources (compiled-espruino-c)", () => {
    for (const v of vectors.filter((x) => x.origin === "compiled-espruino-c")) {
      it(v.name, () => checkVector(v));
    }
  });

  describe("vectors from Espruino's Linux interpreter (espruino-linux-interpreter)", () => {
    const fromInterpreter = vectors.filter((x) => x.origin === "espruino-linux-interpreter");
    for (const v of fromInterpreter) it(v.name, () => checkVector(v));
    it("they are stored (a lost vector file would silently shrink this group)", () =>
      expect(fromInterpreter.length).toBeGreaterThan(0));
  });
});

// ---------------------------------------------------------------------------------------
// Live comparison with the real interpreter, when one has been built at this path.

const ESPRUINO = process.env["ESPRUINO_BIN"] ?? "/opt/espruino/espruino";

/** Runs each statement in Espruino; returns the "TAG:name:base64" lines it printed. */
function runEspruino(lines: readonly string[]): Map<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "hs-espruino-"));
  try {
    const script = join(dir, "in.js");
    writeFileSync(script, [...lines, "quit();", ""].join("\n"));
    // Keep stdin open a little after the script so the REPL gets to run it.
    const r = spawnSync("bash", ["-c", `(cat in.js; sleep 3) | "${ESPRUINO}"`], {
      cwd: dir,
      encoding: "utf8",
      timeout: 45_000,
      maxBuffer: 1 << 24,
    });
    const found = new Map<string, string>();
    for (const raw of `${r.stdout}`.split(/\r?\n/)) {
      const m = /^(HSC|HSD):([\w-]+):([A-Za-z0-9+/=]*)\s*$/.exec(raw.trim());
      if (m) found.set(`${m[1]}:${m[2]}`, m[3] ?? "");
    }
    return found;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!existsSync(ESPRUINO))("heatshrink vs Espruino's Linux interpreter", () => {
  it("compress() and decompress() agree with require('heatshrink')", () => {
    const small = vectors.filter((v) => fromB64(v.inputBase64).length <= 1200);
    const hs = 'require("heatshrink")';
    const lines = small.flatMap((v) => [
      `print("HSC:${v.name}:"+btoa(E.toString(${hs}.compress(atob("${v.inputBase64}")))));`,
      `print("HSD:${v.name}:"+btoa(E.toString(${hs}.decompress(atob("${v.compressedBase64}")))));`,
    ]);
    const got = runEspruino(lines);
    for (const v of small) {
      const input = fromB64(v.inputBase64);
      expect(got.get(`HSC:${v.name}`), `compress ${v.name}`).toBe(toB64(heatshrinkCompress(input)));
      const expected =
        v.espruinoDecompressedBase64 ?? toB64(heatshrinkDecompress(fromB64(v.compressedBase64)));
      expect(got.get(`HSD:${v.name}`), `decompress ${v.name}`).toBe(expected);
    }
  });
});

// ---------------------------------------------------------------------------------------

describe("heatshrink round trips", () => {
  const roundTrip = (input: Uint8Array): void => {
    const info = heatshrinkCompressInfo(input);
    // Never larger than all-literals (9 bits a byte), and the quirk only ever drops a byte.
    expect(info.bytes.length).toBeLessThanOrEqual(Math.ceil((input.length * 9) / 8));
    const lenient = heatshrinkDecompress(info.bytes, { strict: false });
    if (info.espruinoDropsFinalByte) {
      expect(hex(lenient)).toBe(hex(input.subarray(0, input.length - 1)));
    } else {
      expect(hex(lenient)).toBe(hex(input));
    }
    const fixed = heatshrinkCompress(input, { espruinoQuirks: false });
    expect(hex(heatshrinkDecompress(fixed))).toBe(hex(input));
  };

  it("random byte arrays", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (a) => roundTrip(a)),
      { numRuns: 300 },
    );
  });

  it("random bytes from small alphabets (lots of matches)", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((k) => fc.array(fc.integer({ min: 0, max: k }), { maxLength: 4000 })),
        (xs) => roundTrip(Uint8Array.from(xs)),
      ),
      { numRuns: 200 },
    );
  });

  it("text-like data", () => {
    const word = fc.constantFrom(
      "Uncaught",
      "Error:",
      "at",
      "line",
      "col",
      "function",
      "undefined",
      "\n",
      "  ",
      "0x",
      "{",
      "}",
      "E.reboot()",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(word, fc.string({ maxLength: 6 })), { maxLength: 600 }), (ws) =>
        roundTrip(ascii(ws.join(" "))),
      ),
      { numRuns: 200 },
    );
  });

  it("other window/lookahead sizes", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 4, max: 12 })
          .chain((w) => fc.tuple(fc.constant(w), fc.integer({ min: 3, max: w - 1 }))),
        fc.uint8Array({ maxLength: 1500 }),
        fc.boolean(),
        ([windowBits, lookaheadBits], a, repeat) => {
          const input = repeat ? Uint8Array.from([...a, ...a, ...a.subarray(0, 100)]) : a;
          const opts = { windowBits, lookaheadBits };
          const c = heatshrinkCompress(input, { ...opts, espruinoQuirks: false });
          expect(hex(heatshrinkDecompress(c, opts))).toBe(hex(input));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("works on views with a byte offset and on Buffers", () => {
    const backing = ascii("xxxxhello hello hello hello worldyyyy");
    const view = backing.subarray(4, backing.length - 4);
    const c = heatshrinkCompress(view);
    expect(hex(c)).toBe(hex(heatshrinkCompress(ascii("hello hello hello hello world"))));
    const padded = new Uint8Array(c.length + 3);
    padded.set(c, 3);
    expect(new TextDecoder().decode(heatshrinkDecompress(padded.subarray(3)))).toBe(
      "hello hello hello hello world",
    );
    expect(hex(heatshrinkDecompress(Buffer.from(c)))).toBe(hex(view));
  });
});

describe("heatshrink edge cases", () => {
  it("empty input <-> empty output", () => {
    expect(heatshrinkCompress(new Uint8Array(0)).length).toBe(0);
    expect(heatshrinkDecompress(new Uint8Array(0)).length).toBe(0);
  });

  it("one byte", () => {
    for (let b = 0; b < 256; b++) {
      const c = heatshrinkCompress(Uint8Array.of(b));
      // literal: tag 1 + 8 bits, 7 pad bits
      expect(Array.from(c)).toEqual([0x80 | (b >> 1), (b & 1) << 7]);
      expect(Array.from(heatshrinkDecompress(c))).toEqual([b]);
    }
  });

  it("long runs", () => {
    for (const fill of [0x00, 0x41, 0xff]) {
      const input = new Uint8Array(20_000).fill(fill);
      const c = heatshrinkCompress(input);
      // 15 bits per 64 bytes, plus the leading literal unless the zeroed window covers it
      expect(c.length).toBeLessThan(600);
      expect(hex(heatshrinkDecompress(c))).toBe(hex(input));
    }
  });

  it("reaches exactly the whole 256-byte window, no further", () => {
    // 256 distinct pairs (x -> x+7): all literals, then the repeat is found at distance 256.
    const p = Uint8Array.from({ length: 256 }, (_, i) => (i * 7 + 3) & 0xff);
    const twice = Uint8Array.from([...p, ...p]);
    const c = heatshrinkCompress(twice);
    // 256 literals (2304 bits) + 4 backrefs of 64 (4 * 15 bits) = 2364 bits -> 296 bytes
    expect(c.length).toBe(296);
    // First token after the literals: tag 0, index 255 (distance 256), length-1 = 63.
    // 2304 bits = 288 whole bytes, so it starts byte-aligned: 0 11111111 111111 ...
    expect(c[288]).toBe(0b01111111);
    expect(c[289]! >> 1).toBe(0b1111111);
    expect(hex(heatshrinkDecompress(c))).toBe(hex(twice));
    // One byte further away (257) is out of the window: the repeat cannot be used.
    const far = Uint8Array.from([...p, 0, ...p]);
    expect(heatshrinkCompress(far).length).toBeGreaterThan(c.length + 100);
  });

  it("data longer than the window with matches across refills", () => {
    const text = ascii(
      Array.from({ length: 200 }, (_, i) => `line ${i % 17}: value=${(i * 31) % 97}\n`).join(""),
    );
    expect(text.length).toBeGreaterThan(2048);
    const c = heatshrinkCompress(text);
    expect(c.length).toBeLessThan(text.length / 3);
    expect(hex(heatshrinkDecompress(c))).toBe(hex(text));
  });

  it("rejects invalid parameters", () => {
    const d = Uint8Array.of(1, 2, 3);
    expect(() => heatshrinkCompress(d, { windowBits: 3 })).toThrow(RangeError);
    expect(() => heatshrinkCompress(d, { windowBits: 16 })).toThrow(RangeError);
    expect(() => heatshrinkCompress(d, { windowBits: 8, lookaheadBits: 8 })).toThrow(RangeError);
    expect(() => heatshrinkCompress(d, { lookaheadBits: 2 })).toThrow(RangeError);
    expect(() => heatshrinkDecompress(d, { windowBits: 7.5 })).toThrow(RangeError);
    expect(() => heatshrinkDecompress(d, { maxOutput: -1 })).toThrow(RangeError);
  });
});

describe("heatshrink decoder on bad input", () => {
  it("garbage never hangs, never exceeds maxOutput, only throws HeatshrinkError", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 4000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.boolean(),
        (garbage, maxOutput, strict) => {
          try {
            const out = heatshrinkDecompress(garbage, { maxOutput, strict });
            expect(out.length).toBeLessThanOrEqual(maxOutput);
          } catch (e) {
            expect(e).toBeInstanceOf(HeatshrinkError);
            expect((e as HeatshrinkError).partial.length).toBeLessThanOrEqual(maxOutput);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("the worst expansion stops at maxOutput (default 1 MiB)", () => {
    // Repeated 15-bit token "0 00000000 111111" = backref of 64 bytes: ~34x expansion.
    const bits = "000000000111111".repeat(8 * 4000); // 60000 bytes
    const bomb = new Uint8Array(bits.length / 8);
    for (let i = 0; i < bomb.length; i++) bomb[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
    const t0 = Date.now();
    let err: unknown;
    try {
      heatshrinkDecompress(bomb);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HeatshrinkError);
    expect((err as HeatshrinkError).code).toBe("OUTPUT_LIMIT");
    expect((err as HeatshrinkError).partial.length).toBeLessThanOrEqual(
      HEATSHRINK_DEFAULT_MAX_OUTPUT,
    );
    expect(heatshrinkDecompress(bomb, { maxOutput: 3_000_000 }).length).toBe(32_000 * 64);
    expect(() => heatshrinkDecompress(bomb, { maxOutput: 1000 })).toThrow(/maxOutput/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("truncated streams: strict mode throws or yields a prefix; lenient mode yields a prefix", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 1500 }), fc.nat(), (a, cut) => {
        const c = heatshrinkCompress(a, { espruinoQuirks: false });
        const keep = cut % c.length; // drop at least one byte
        const t = c.subarray(0, keep);
        const isPrefix = (x: Uint8Array): boolean =>
          x.length <= a.length && hex(x) === hex(a.subarray(0, x.length));
        expect(isPrefix(heatshrinkDecompress(t, { strict: false }))).toBe(true);
        try {
          const out = heatshrinkDecompress(t);
          expect(isPrefix(out)).toBe(true);
          expect(out.length).toBeLessThan(a.length);
        } catch (e) {
          expect(e).toBeInstanceOf(HeatshrinkError);
          expect((e as HeatshrinkError).code).toBe("TRUNCATED");
          expect(isPrefix((e as HeatshrinkError).partial)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a stream cut inside a token is reported in strict mode", () => {
    const c = heatshrinkCompress(ascii("hello hello hello")); // 69 bits + 3 pad bits
    expect(new TextDecoder().decode(heatshrinkDecompress(c))).toBe("hello hello hello");
    // Dropping the last byte leaves 5 bits of the backref: not padding.
    const err = expectTruncated(() => heatshrinkDecompress(c.subarray(0, c.length - 1)));
    expect(new TextDecoder().decode(err.partial)).toBe("hello ");
    // Non-zero padding bits are not something the encoder writes.
    const bad = Uint8Array.from(c);
    bad[bad.length - 1] = bad[bad.length - 1]! | 1;
    expectTruncated(() => heatshrinkDecompress(bad));
    expect(new TextDecoder().decode(heatshrinkDecompress(bad, { strict: false }))).toBe(
      "hello hello hello",
    );
  });

  it("bytes after the stream (e.g. erased flash) decode as extra data: callers must know the length", () => {
    const c = heatshrinkCompress(ascii("abc"));
    const withFf = Uint8Array.from([...c, 0xff, 0xff]);
    expect(() => heatshrinkDecompress(withFf)).toThrow(HeatshrinkError);
    const lenient = heatshrinkDecompress(withFf, { strict: false });
    expect(new TextDecoder().decode(lenient.subarray(0, 3))).toBe("abc");
    expect(lenient.length).toBeGreaterThan(3);
  });
});
