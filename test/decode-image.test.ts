import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Reason, putU32 } from "../src/core/record.js";
import {
  DecodeImageError,
  decodeImage,
  decodeImageDetailed,
  decodeRecordBytes,
  flagNames,
} from "../src/host/decode-image.js";
import type { PartitionLayout } from "../src/host/decode-image.js";
import { readFileSync } from "node:fs";
import { EPOCH_MS, MANY_RECORDS_COMPRESSED, bootBoard, newFlash } from "./helpers/model.js";
import type { Board } from "./helpers/model.js";

type Sim = Board;

function sim(recordSize: number, eraseSize = 4096, blocks = 4, epoch = EPOCH_MS): Sim {
  const flash = newFlash({
    size: blocks * eraseSize,
    eraseSize,
    progUnit: 4,
    pageSize: 256,
    erasedValue: 0xff,
  });
  return bootBoard(flash, recordSize, MANY_RECORDS_COMPRESSED, 4096, epoch);
}

function crash(
  s: Sim,
  n: number,
  text = (i: number) => `console ${i}\r\nUncaught Error: e${i}\r\n`,
): void {
  for (let i = 0; i < n; i++) {
    s.ring.write(text(i));
    s.sched.advance(1500);
    s.log.dump(
      Reason.OOPS,
      JSON.stringify({ msg: "e" + i, board: "test", mem: { free: 10, usage: 20, total: 30 } }),
    );
    s.sched.runAll();
  }
}

describe("decodeImage on simulator images", () => {
  it("decodes the SPEC test vector's slot", () => {
    const hex = readFileSync(new URL("./vectors/record-oops.hex", import.meta.url), "utf8");
    const bytes = Uint8Array.from((hex.match(/[0-9a-fA-F]{2}/g) ?? []).map((h) => parseInt(h, 16)));
    const slot = new Uint8Array(128).fill(0xff);
    slot.set(bytes.subarray(0, Math.min(bytes.length, 128)));
    const r = decodeRecordBytes(slot, { recordSize: 128, slot: 0, offset: 0 });
    expect(r).not.toBeNull();
    expect(r).toMatchObject({
      origin: "espruino-mtdoops",
      seq: 7,
      boot: 3,
      reason: "oops",
      time: "2025-11-26T00:00:00.000Z",
      uptimeMs: 12345,
      context: { msg: "boom" },
      text: "hello\r\nUncaught Error: boom\r\n",
      freed: false,
      compressed: false,
      truncated: false,
      flags: [],
    });
  });

  for (const rs of [64, 256, 1024, 4096]) {
    it(`finds the record size ${rs} by itself`, () => {
      const s = sim(rs, 4096, rs === 4096 ? 8 : 4);
      crash(s, 5, (i) => (rs === 64 ? "" : `c${i}\r\n`));
      const image = s.flash.toImage();
      const res = decodeImageDetailed(image);
      expect(res.recordSize).toBe(rs);
      expect(res.recordSizeSource).toBe("detected");
      expect(res.records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(res.records.map((r) => r.slot)).toEqual([0, 1, 2, 3, 4]);
      expect(res.records.every((r) => r.offset === r.slot * rs)).toBe(true);
    });
  }

  it("orders by seq across the wrap of the circle, with freed and compressed records", () => {
    const s = sim(512, 1024, 4);
    crash(s, 11, (i) => `${"x".repeat(30)} line ${i} `.repeat(30) + "\r\n");
    s.log.clear(8);
    const res = decodeImageDetailed(s.flash.toImage());
    expect(res.recordSize).toBe(512);
    const seqs = res.records.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[seqs.length - 1]).toBe(11);
    expect(res.records.some((r) => r.compressed)).toBe(true);
    expect(res.records.some((r) => r.truncated)).toBe(true);
    expect(res.records.filter((r) => r.freed).map((r) => r.seq)).toEqual(
      seqs.filter((x) => x <= 8),
    );
    const c = res.records.find((r) => r.compressed);
    expect(c?.text).toContain("line");
    expect(c?.payloadError).toBeUndefined();
    expect(c?.context).toMatchObject({ board: "test", mem: { total: 30 } });
  });

  it("time is null when the board did not know it", () => {
    const s = sim(256, 4096, 2, 0);
    crash(s, 1);
    const [r] = decodeImage(s.flash.toImage());
    expect(r?.time).toBeNull();
  });

  it("uses a given record size and a board's", () => {
    const s = sim(256);
    crash(s, 3);
    const image = s.flash.toImage();
    expect(decodeImage(image, { recordSize: 256 }).length).toBe(3);
    const board: PartitionLayout = { id: "x", recordSize: 256, eraseSize: 4096, backend: "flash" };
    expect(decodeImageDetailed(image, { board }).recordSizeSource).toBe("board");
    // The wrong size finds fewer records (here: every other one).
    expect(decodeImage(image, { recordSize: 512 }).map((r) => r.seq)).toEqual([1, 3]);
  });

  it("an erased image has no records and is not an error", () => {
    expect(decodeImage(new Uint8Array(8192).fill(0xff))).toEqual([]);
  });

  it("a truncated image: the whole records before the cut, and a warning", () => {
    const s = sim(1024);
    crash(s, 4);
    const image = s.flash.toImage().subarray(0, 3 * 1024 + 30);
    const res = decodeImageDetailed(image);
    expect(res.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(res.warnings.join(" ")).toMatch(/truncated/);
  });

  it("clear errors: too short, bad record size, foreign data", () => {
    const err = (f: () => unknown): DecodeImageError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeImageError);
        return e as DecodeImageError;
      }
      throw new Error("did not throw");
    };
    expect(err(() => decodeImage(new Uint8Array(0))).code).toBe("ETRUNCATED");
    expect(err(() => decodeImage(new Uint8Array(10))).message).toMatch(
      /shorter than the smallest record slot/,
    );
    expect(err(() => decodeImage(new Uint8Array(100), { recordSize: 256 })).code).toBe(
      "ETRUNCATED",
    );
    expect(err(() => decodeImage(new Uint8Array(1024), { recordSize: 100 })).message).toMatch(
      /power of two/,
    );
    expect(err(() => decodeImage(new Uint8Array(1024), { recordSize: 131072 })).code).toBe(
      "EBADARG",
    );
    const foreign = new TextEncoder().encode(
      "hello world, this is not a partition image\n".repeat(100),
    );
    const e = err(() => decodeImage(foreign));
    expect(e.code).toBe("ENORECORDS");
    expect(e.message).toMatch(/--format linux/);
  });

  it("random bytes and damaged images never throw anything but a DecodeImageError", () => {
    const s = sim(256, 1024, 4);
    crash(s, 9);
    const good = s.flash.toImage();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 3000 }),
          fc
            .record({
              cut: fc.integer({ min: 0, max: good.length }),
              flips: fc.array(
                fc.tuple(
                  fc.integer({ min: 0, max: good.length - 1 }),
                  fc.integer({ min: 0, max: 7 }),
                ),
                {
                  maxLength: 20,
                },
              ),
            })
            .map(({ cut, flips }) => {
              const img = good.slice(0, cut);
              for (const [at, bit] of flips)
                if (at < img.length) img[at] = (img[at] as number) ^ (1 << bit);
              return img;
            }),
        ),
        fc.option(fc.constantFrom(64, 128, 256, 512, 100), { nil: undefined }),
        (image, recordSize) => {
          try {
            const res = decodeImageDetailed(image, recordSize === undefined ? {} : { recordSize });
            for (const r of res.records) {
              expect(typeof r.seq).toBe("number");
              expect(typeof r.text).toBe("string");
            }
          } catch (e) {
            if (!(e instanceof DecodeImageError)) throw e;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("flag names", () => {
    expect(flagNames(0)).toEqual([]);
    expect(flagNames(7)).toEqual(["HEATSHRINK", "TRUNCATED", "UNEXPECTED"]);
    expect(flagNames(0x80)).toEqual(["bit7"]);
  });
});

/**
 * An espruino.flash-like file: the Linux build's 256 KB of Storage, holding other files and
 * the firmware's storage backend's block files (prefix + block number; an 8-byte marker,
 * then the block's bytes), one of them a deleted older copy.
 */
function storageImage(
  blocks: Uint8Array[],
  prefix: string,
  eraseSize: number,
  deleted?: { block: number; data: Uint8Array },
): Uint8Array {
  const image = new Uint8Array(256 * 1024).fill(0xff);
  let at = 0;
  const put = (name: string, data: Uint8Array, deleted = false): number => {
    putU32(image, at, data.length);
    const nameBytes = new TextEncoder().encode(name);
    image.fill(0, at + 4, at + 32);
    image.set(nameBytes, at + 4);
    if (deleted) image.fill(0, at + 4, at + 8);
    image.set(data, at + 32);
    const dataAt = at + 32;
    at += 32 + Math.ceil(data.length / 4) * 4;
    return dataAt;
  };
  put(".boot0", new TextEncoder().encode("print('hello');".repeat(20)));
  const withMarker = (b: Uint8Array): Uint8Array => {
    const d = new Uint8Array(8 + eraseSize);
    d.set(new TextEncoder().encode("MTDBLOCK"));
    d.set(b, 8);
    return d;
  };
  // A deleted older copy of a block (its records are stale: the block was erased since).
  if (deleted) put(prefix + deleted.block, withMarker(deleted.data), true);
  blocks.forEach((b, i) => put(prefix + i, withMarker(b)));
  put("app.js", new TextEncoder().encode("setInterval(function(){},1000);"));
  return image;
}

describe("decodeImage with --board linux (espruino.flash)", () => {
  const linux: PartitionLayout = {
    id: "linux",
    recordSize: 1024,
    eraseSize: 4096,
    backend: "storage",
    storagePrefix: "mtdoops",
  };

  it("finds the records inside the Storage files, sorted by seq, with their slots", () => {
    const s = sim(1024, 4096, 4);
    crash(s, 6);
    const part = s.flash.toImage();
    const blocks = [0, 1, 2, 3].map((b) => part.slice(b * 4096, (b + 1) * 4096));
    // A deleted copy of block 3 from an older lap holds two stale records.
    const old = sim(1024, 4096, 4);
    crash(old, 2);
    const image = storageImage(blocks, "mtdoops", 4096, {
      block: 3,
      data: old.flash.toImage().slice(0, 4096),
    });
    const res = decodeImageDetailed(image, { board: linux });
    expect(res.mode).toBe("scan");
    expect(res.records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(res.records.map((r) => r.slot)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(res.records[4]?.storageFile).toBe("mtdoops1");
    expect(res.warnings.join(" ")).toMatch(/2 record\(s\) in deleted Storage files/);
  });

  it("without a board, falls back to scanning the whole image", () => {
    const s = sim(1024, 4096, 4);
    crash(s, 3);
    const part = s.flash.toImage();
    const blocks = [0, 1, 2, 3].map((b) => part.slice(b * 4096, (b + 1) * 4096));
    const image = storageImage(blocks, "mtdoops", 4096);
    const res = decodeImageDetailed(image);
    expect(res.mode).toBe("scan");
    expect(res.records.map((r) => r.seq).slice(-3)).toEqual([1, 2, 3].slice(-3));
  });
});
