// What the board compresses carries one byte of padding after it (firmware/env.ts
// compress(), SPEC.md §2.4): a record's payload stored compressed, and a REC line sent
// compressed ("h", §7.1). The readers drop it: the record view (src/host/record-view.ts)
// and the protocol parser. Anything else longer than stated is damaged, as before.

import { describe, expect, it } from "vitest";
import { heatshrinkCompress, heatshrinkDecompress } from "../src/codec/heatshrink.js";
import { crc32 } from "../src/core/crc32.js";
import { buildPayload, Flags, Reason } from "../src/core/record.js";
import { decodeRecordBytes } from "../src/host/record-view.js";
import { craftRecord } from "./helpers/model.js";
import { ProtocolParser } from "../src/host/protocol-parser.js";
import type { ProtocolEvent } from "../src/host/protocol-parser.js";

const parser = (): ProtocolParser =>
  new ProtocolParser({
    crc32,
    fromBase64: (t) => Uint8Array.from(Buffer.from(t, "base64")),
    decompress: (d) => heatshrinkDecompress(d, { strict: false }),
  });

const bytes = new TextEncoder().encode("a record's bytes, as the slot holds them. ".repeat(8));

function recLine(sent: Uint8Array, enc: "b" | "h", length = bytes.length): string {
  const data = enc === "h" ? heatshrinkCompress(sent, { espruinoQuirks: false }) : sent;
  const crc = crc32(bytes).toString(16).padStart(8, "0");
  return (
    "MTDOOPS:REC 7 3 " + length + " " + crc + " " + enc + " " + Buffer.from(data).toString("base64")
  );
}

const withTail = (n: number): Uint8Array => {
  const p = new Uint8Array(bytes.length + n);
  p.set(bytes);
  return p;
};

describe("REC lines and the board's padding", () => {
  it("a compressed line of the record's bytes and one byte more is the record", () => {
    const ev = parser().parseLine(recLine(withTail(1), "h")) as ProtocolEvent;
    expect(ev.type).toBe("record");
    if (ev.type === "record") expect(Buffer.from(ev.record.raw)).toEqual(Buffer.from(bytes));
  });

  it("a compressed line of exactly the record's bytes is the record", () => {
    expect(parser().parseLine(recLine(bytes, "h"))?.type).toBe("record");
  });

  it("two bytes more, one byte less, or one more on a plain line: corrupt", () => {
    for (const line of [
      recLine(withTail(2), "h"),
      recLine(bytes.subarray(0, bytes.length - 1), "h"),
      recLine(withTail(1), "b"),
    ]) {
      const ev = parser().parseLine(line) as ProtocolEvent;
      expect(ev.type, line.slice(0, 40)).toBe("corrupt");
      if (ev.type === "corrupt") expect(ev.why).toMatch(/REC length/);
    }
  });
});

describe("stored records and the board's padding", () => {
  const payload = buildPayload(
    new TextEncoder().encode('{"msg":"boom"}'),
    new TextEncoder().encode("app line\n".repeat(30)),
  );
  const stored = (sent: Uint8Array): ReturnType<typeof decodeRecordBytes> => {
    const z = heatshrinkCompress(sent, { espruinoQuirks: false });
    const h = {
      seq: 1,
      boot: 1,
      reason: Reason.OOPS,
      flags: Flags.HEATSHRINK,
      time: 0,
      uptime: 5,
      payloadLength: z.length,
      rawLength: payload.length,
    };
    const bytes = craftRecord(h, z, 4);
    return decodeRecordBytes(bytes, { recordSize: 1024, slot: 0, offset: 0 });
  };
  const padded = (n: number): Uint8Array => {
    const p = new Uint8Array(payload.length + n);
    p.set(payload);
    return p;
  };

  it("a payload with its byte of padding reads as the payload", () => {
    const r = stored(padded(1));
    expect(r?.payloadError).toBeUndefined();
    expect(r?.text).toBe("app line\n".repeat(30));
    expect(r?.context).toEqual({ msg: "boom" });
  });

  it("two bytes more is a damaged record", () => {
    expect(stored(padded(2))?.payloadError).toMatch(/decompressed to/);
  });
});
