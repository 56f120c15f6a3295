import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crc32 } from "../src/core/crc32.js";
import {
  COMMIT_VALUE,
  Flags,
  Reason,
  buildPayload,
  decodeRecord,
  encodeRecord,
  headerState,
  isFreedWord,
  putU32,
  reasonCode,
  reasonName,
  splitPayload,
} from "../src/core/record.js";

const hex = readFileSync(new URL("./vectors/record-oops.hex", import.meta.url), "utf8").replace(
  /\s+/g,
  "",
);
const vector = Uint8Array.from(Buffer.from(hex, "hex"));
const enc = new TextEncoder();

describe("record format (SPEC.md §2 and §6)", () => {
  it("CRC-32 has the zlib check value", () => {
    expect(crc32(enc.encode("123456789"))).toBe(0xcbf43926);
  });

  it("CRC-32 (table-driven) equals the bitwise definition on any bytes", () => {
    // The definition, bit by bit: reflected, polynomial 0xEDB88320, init and xorout 0xFFFFFFFF.
    const bitwise = (data: Uint8Array): number => {
      let crc = 0xffffffff;
      for (const byte of data) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
      }
      return (crc ^ 0xffffffff) >>> 0;
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => crc32(b) === bitwise(b)));
  });

  it("encodes the SPEC.md test vector byte for byte", () => {
    const payload = buildPayload(
      enc.encode('{"msg":"boom"}'),
      enc.encode("hello\r\nUncaught Error: boom\r\n"),
    );
    const rec = encodeRecord(
      {
        seq: 7,
        boot: 3,
        reason: Reason.OOPS,
        flags: 0,
        time: 1764115200,
        uptime: 12345,
        payloadLength: payload.length,
        rawLength: payload.length,
      },
      payload,
      4,
      crc32,
    );
    putU32(rec, 0, COMMIT_VALUE); // what the writer programs last
    expect(Buffer.from(rec).toString("hex")).toBe(hex);
  });

  it("decodes the test vector", () => {
    const slot = new Uint8Array(128).fill(0xff);
    slot.set(vector);
    const r = decodeRecord(slot, 128, 0xff, crc32)!;
    expect(r).toMatchObject({
      seq: 7,
      boot: 3,
      reason: Reason.OOPS,
      flags: 0,
      time: 1764115200,
      uptime: 12345,
      freed: false,
    });
    const p = splitPayload(r.payload)!;
    expect(new TextDecoder().decode(p.context)).toBe('{"msg":"boom"}');
    expect(new TextDecoder().decode(p.console)).toBe("hello\r\nUncaught Error: boom\r\n");
  });

  it("rejects the vector with any single byte changed, except in the freed word and pads", () => {
    for (let i = 0; i < 93; i++) {
      const b = vector.slice();
      b[i] = b[i]! ^ 0x10;
      const r = decodeRecord(b, 128, 0xff, crc32);
      if (i >= 4 && i < 16) expect(r, `byte ${i}`).not.toBeNull();
      else expect(r, `byte ${i}`).toBeNull();
    }
  });

  it("rejects an uncommitted record: a torn write is never accepted", () => {
    const b = vector.slice();
    b.fill(0xff, 0, 4);
    expect(decodeRecord(b, 128, 0xff, crc32)).toBeNull();
    expect(headerState(b, 128, 0xff)).toBe("dirty");
  });

  it("rejects a record whose payload does not fit the slot", () => {
    expect(decodeRecord(vector, 64, 0xff, crc32)).toBeNull();
  });

  it("reads the freed word by majority, so one flipped bit changes nothing", () => {
    expect(isFreedWord(0xffffffff)).toBe(false);
    expect(isFreedWord(0xfffffffe)).toBe(false);
    expect(isFreedWord(0)).toBe(true);
    expect(isFreedWord(1)).toBe(true);
    expect(isFreedWord(0x0000ffff)).toBe(true);
    expect(isFreedWord(0x0001ffff)).toBe(false);
  });

  it("recognises an erased header and a foreign one", () => {
    expect(headerState(new Uint8Array(48).fill(0xff), 128, 0xff)).toBe("blank");
    expect(headerState(new Uint8Array(48).fill(0x00), 128, 0xff)).toBe("dirty");
  });

  it("names reasons and flags as SPEC.md §2.1-2.2", () => {
    expect([1, 2, 3, 4, 5].map(reasonName)).toEqual([
      "panic",
      "oops",
      "errorflag",
      "reboot",
      "shutdown",
    ]);
    expect(reasonName(9)).toBe("reason9");
    expect(reasonCode("oops")).toBe(2);
    expect(reasonCode("3")).toBe(3);
    expect(reasonCode("nope")).toBe(-1);
    expect([Flags.HEATSHRINK, Flags.TRUNCATED, Flags.UNEXPECTED]).toEqual([1, 2, 4]);
  });
});

describe("record format: compressed, freed, seq at the wrap (SPEC.md §6, second vector)", () => {
  it("decodes, decompresses and re-encodes the vector", async () => {
    const { heatshrinkCompress, heatshrinkDecompress } = await import("../src/codec/heatshrink.js");
    const hex2 = readFileSync(
      new URL("./vectors/record-panic-heatshrink-freed.hex", import.meta.url),
      "utf8",
    ).replace(/\s+/g, "");
    const v = Uint8Array.from(Buffer.from(hex2, "hex"));
    const r = decodeRecord(v, 128, 0xff, crc32)!;
    expect(r).toMatchObject({
      seq: 0xffffffff,
      boot: 9,
      reason: Reason.PANIC,
      flags: Flags.HEATSHRINK | Flags.TRUNCATED,
      time: 0,
      uptime: 4000000000,
      freed: true,
      payloadLength: 26,
      rawLength: 133,
    });
    const raw = heatshrinkDecompress(r.payload);
    expect(raw.length).toBe(r.rawLength);
    const p = splitPayload(raw)!;
    expect(new TextDecoder().decode(p.context)).toBe('{"msg":"x"}');
    expect(new TextDecoder().decode(p.console)).toBe("tick\r\n".repeat(20));
    const again = encodeRecord({ ...r }, heatshrinkCompress(raw), 8, crc32);
    putU32(again, 0, COMMIT_VALUE);
    putU32(again, 8, 0);
    expect(Buffer.from(again).toString("hex")).toBe(hex2);
  });
});
