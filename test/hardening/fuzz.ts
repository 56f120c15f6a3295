// The decoders against mutated real images: partitions written by the log on the simulated
// flash (our format) and images in Linux mtdoops' format, mutated by bit flips, truncation,
// splices, forged headers and lengths, and repeated header patterns. For each input, a
// failure is:
//   - an exception other than the decoder's own error for bad options or a short image;
//   - a returned record that fails an independent check of the bytes it came from;
//   - more than linear time (per input: a budget proportional to its size, re-timed before
//     it counts, so a GC pause is not a failure; plus a scaling probe that the campaign
//     runs once, alone: the time per byte of a 2 MB forged image over a 128 KB one);
//   - unbounded memory (output beyond a fixed multiple of the input, or the heap growing).
// Every input comes from (seed, index): a failure message names both, and
// `replayFuzz(seed, index)` runs that input again.

import { crc32 } from "../../src/core/crc32.js";
import {
  COMMIT_VALUE,
  FORMAT_VERSION,
  HEADER_SIZE,
  MAGIC,
  OFF_COMMIT,
  OFF_CRC,
  OFF_MAGIC,
  Reason,
  getU32,
  putU32,
} from "../../src/core/record.js";
import { DecodeImageError, decodeImageDetailed } from "../../src/host/decode-image.js";
import type { DecodeImageOptions, EspruinoDecodedRecord } from "../../src/host/decode-image.js";
import {
  LinuxMtdoopsError,
  MTDOOPS_MAGIC_V1,
  MTDOOPS_MAGIC_V2,
  decodeLinuxMtdoopsImage,
} from "../../src/host/linux-mtdoops.js";
import type { LinuxDecodedRecord } from "../../src/host/linux-mtdoops.js";
import { SimulatedNorFlash } from "../../src/sim/nor-flash.js";
import { Prng } from "../../src/sim/prng.js";
import { HEATSHRINK, bootBoard } from "../helpers/model.js";

export interface FuzzResult {
  inputs: number;
  failures: number;
  messages: string[];
  /** Time per byte of a 2 MB forged image over a 128 KB one (linear: about 1; quadratic: 16). */
  scaling: number;
}

interface Base {
  kind: "espruino" | "linux";
  image: Uint8Array;
  recordSize: number;
  eraseSize: number;
}

const ESPRUINO_SHAPES = [
  { recordSize: 64, eraseSize: 1024, blocks: 4, compress: false },
  { recordSize: 256, eraseSize: 1024, blocks: 4, compress: true },
  { recordSize: 512, eraseSize: 4096, blocks: 2, compress: false },
  { recordSize: 1024, eraseSize: 4096, blocks: 3, compress: true },
  { recordSize: 2048, eraseSize: 4096, blocks: 2, compress: false },
];

/** Real images: the log writes crashes on the simulated flash, wrapping the ring. */
function espruinoBases(seed: number): Base[] {
  const out: Base[] = [];
  const prng = new Prng(seed);
  for (const s of ESPRUINO_SHAPES) {
    const flash = new SimulatedNorFlash({
      geometry: {
        size: s.blocks * s.eraseSize,
        eraseSize: s.eraseSize,
        progUnit: 4,
        pageSize: 256,
        erasedValue: 0xff,
      },
      strict: true,
    });
    const { sched, ring, log } = bootBoard(
      flash,
      s.recordSize,
      { loopThreshold: 0, maxRecordsPerBoot: 1000, ...(s.compress ? HEATSHRINK : {}) },
      2048,
    );
    const slots = (s.blocks * s.eraseSize) / s.recordSize;
    const writes = slots + 1 + (prng.nextUint32() % slots);
    for (let i = 0; i < writes; i++) {
      ring.write(`tick ${i} ${"x".repeat(prng.nextUint32() % 80)}\r\nUncaught Error: e${i}\r\n`);
      sched.advance(500);
      if (i % 3 === 0) log.panic(`{"msg":"p${i}"}`);
      else log.dump(Reason.OOPS, `{"msg":"o${i}"}`);
      sched.runAll();
    }
    if (prng.next() < 0.5) log.clear((log.nextSeq - 3) >>> 0);
    out.push({
      kind: "espruino",
      image: flash.toImage(),
      recordSize: s.recordSize,
      eraseSize: s.eraseSize,
    });
  }
  return out;
}

/** Images in the kernel's format: v1 and v2 headers, both byte orders, some empty slots. */
function linuxBases(seed: number): Base[] {
  const out: Base[] = [];
  const prng = new Prng(seed ^ 0x11);
  for (const [recordSize, v2, le] of [
    [4096, true, true],
    [4096, false, true],
    [1024, true, false],
    [256, false, false],
  ] as const) {
    const slots = 4;
    const image = new Uint8Array(slots * recordSize).fill(0xff);
    const view = new DataView(image.buffer);
    let seq = prng.nextUint32() % 1000;
    for (let s = 0; s < slots; s++) {
      if (prng.next() < 0.2) continue;
      const o = s * recordSize;
      view.setUint32(o, seq++, le);
      view.setUint32(o + 4, v2 ? MTDOOPS_MAGIC_V2 : MTDOOPS_MAGIC_V1, le);
      const hdr = v2 ? 16 : 8;
      if (v2) view.setBigInt64(o + 8, BigInt(1_764_115_200) * 1_000_000_000n, le);
      const text = new TextEncoder().encode(`<0>Kernel panic - not syncing: ${seq}\n`.repeat(3));
      image.set(text.subarray(0, recordSize - hdr), o + hdr);
    }
    out.push({ kind: "linux", image, recordSize, eraseSize: recordSize });
  }
  return out;
}

// ---------------------------------------------------------------- mutations

function pick(prng: Prng, n: number): number {
  return n <= 0 ? 0 : prng.nextUint32() % n;
}

/** A header that passes the quick checks (commit, magic, version, size) claiming `len`. */
function forgeHeader(
  img: Uint8Array,
  off: number,
  len: number,
  prng: Prng,
  validCrc: boolean,
): void {
  if (off < 0 || off + HEADER_SIZE > img.length) return;
  putU32(img, off + OFF_COMMIT, COMMIT_VALUE);
  putU32(img, off + OFF_MAGIC, MAGIC);
  img[off + 24] = FORMAT_VERSION;
  img[off + 25] = HEADER_SIZE;
  img[off + 26] = 1 + pick(prng, 5);
  img[off + 27] = pick(prng, 8);
  putU32(img, off + 28, prng.nextUint32());
  img[off + 44] = len & 255;
  img[off + 45] = (len >> 8) & 255;
  img[off + 46] = img[off + 44] as number;
  img[off + 47] = img[off + 45] as number;
  const end = off + HEADER_SIZE + len;
  if (validCrc && end <= img.length) putU32(img, off + OFF_CRC, crc32(img.subarray(off + 24, end)));
  else putU32(img, off + OFF_CRC, prng.nextUint32());
}

type Mutation = (img: Uint8Array, prng: Prng, other: Uint8Array) => Uint8Array;

const MUTATIONS: Array<[string, Mutation]> = [
  [
    "bitflips",
    (img, prng) => {
      const n = 1 + pick(prng, 8);
      for (let i = 0; i < n; i++) {
        const at = pick(prng, img.length);
        img[at] = (img[at] as number) ^ (1 << pick(prng, 8));
      }
      return img;
    },
  ],
  ["truncate", (img, prng) => img.slice(0, pick(prng, img.length + 1))],
  [
    "splice",
    (img, prng, other) => {
      const a = pick(prng, img.length + 1);
      const b = pick(prng, other.length + 1);
      const out = new Uint8Array(a + (other.length - b));
      out.set(img.subarray(0, a));
      out.set(other.subarray(b), a);
      return out;
    },
  ],
  [
    "forged-header",
    (img, prng) => {
      const n = 1 + pick(prng, 4);
      for (let i = 0; i < n; i++)
        forgeHeader(img, pick(prng, img.length) & ~3, pick(prng, 0x10000), prng, prng.next() < 0.5);
      return img;
    },
  ],
  [
    "forged-length",
    (img, prng) => {
      for (let off = 0; off + HEADER_SIZE <= img.length; off += 4) {
        if (getU32(img, off + OFF_MAGIC) !== MAGIC || prng.next() < 0.3) continue;
        const len = prng.next() < 0.5 ? 0xffff : pick(prng, 0x10000);
        img[off + 44] = len & 255;
        img[off + 45] = len >> 8;
        if (prng.next() < 0.3 && off + HEADER_SIZE + len <= img.length)
          putU32(img, off + OFF_CRC, crc32(img.subarray(off + 24, off + HEADER_SIZE + len)));
      }
      return img;
    },
  ],
  [
    "repeated-headers",
    (img, prng) => {
      const stride = [32, 48, 52, 64, 128][pick(prng, 5)] as number;
      const from = pick(prng, img.length) & ~3;
      const to = Math.min(img.length, from + stride * (1 + pick(prng, 256)));
      const len = 0x10000 - HEADER_SIZE - pick(prng, 64);
      for (let off = from; off + HEADER_SIZE <= to; off += stride)
        forgeHeader(img, off, len, prng, false);
      return img;
    },
  ],
  [
    "linux-forged",
    (img, prng) => {
      const view = new DataView(img.buffer, img.byteOffset, img.byteLength);
      const n = 1 + pick(prng, 6);
      for (let i = 0; i < n; i++) {
        const off = (pick(prng, img.length) & ~15) - 8;
        if (off < 0 || off + 16 > img.length) continue;
        const le = prng.next() < 0.5;
        view.setUint32(off, prng.next() < 0.1 ? 0xffffffff : prng.nextUint32(), le);
        view.setUint32(off + 4, prng.next() < 0.5 ? MTDOOPS_MAGIC_V1 : MTDOOPS_MAGIC_V2, le);
      }
      return img;
    },
  ],
];

// ---------------------------------------------------------------- checks

export function checkOurs(img: Uint8Array, r: EspruinoDecodedRecord, bound: number): string {
  const off = r.offset;
  if (!(off >= 0 && off + r.length <= img.length))
    return `record seq ${r.seq} lies outside the image`;
  if (r.length - HEADER_SIZE > bound) return `record seq ${r.seq} longer than a slot`;
  if (getU32(img, off) !== COMMIT_VALUE || getU32(img, off + OFF_MAGIC) !== MAGIC)
    return `record seq ${r.seq} at ${off} has no commit word or magic`;
  if (getU32(img, off + 28) !== r.seq)
    return `record seq ${r.seq} at ${off}: the bytes say another seq`;
  const len = (img[off + 44] as number) | ((img[off + 45] as number) << 8);
  if (HEADER_SIZE + len !== r.length)
    return `record seq ${r.seq}: length ${r.length}, header says ${HEADER_SIZE + len}`;
  const crc = crc32(img.subarray(off + 24, off + r.length));
  if (crc !== getU32(img, off + OFF_CRC) || crc.toString(16).padStart(8, "0") !== r.crc)
    return `record seq ${r.seq} at ${off} fails its CRC`;
  return "";
}

function checkLinux(
  img: Uint8Array,
  r: LinuxDecodedRecord,
  recordSize: number,
  le: boolean,
): string {
  if (r.offset !== r.slot * recordSize || r.offset + recordSize > img.length)
    return `linux record seq ${r.seq} not at a slot start`;
  const view = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const magic = view.getUint32(r.offset + 4, le);
  if (magic !== MTDOOPS_MAGIC_V1 && magic !== MTDOOPS_MAGIC_V2)
    return `linux record seq ${r.seq}: no magic`;
  if (view.getUint32(r.offset, le) !== r.seq)
    return `linux record seq ${r.seq}: the bytes say another seq`;
  return "";
}

/** Decodes one input every way the CLI can; returns a failure message or "". */
function decodeAndCheck(
  img: Uint8Array,
  base: Base,
  prng: Prng,
): { problem: string; outChars: number } {
  let outChars = 0;
  // One way of each decoder per input (the inputs are many): no size, the size, or scan mode.
  const way = prng.next();
  const ours: DecodeImageOptions[] = [
    way < 0.5
      ? {}
      : way < 0.85
        ? { recordSize: base.recordSize }
        : {
            scan: true,
            recordSize: base.recordSize,
            board: {
              id: "fuzz",
              recordSize: base.recordSize,
              eraseSize: base.eraseSize,
              backend: "storage",
              storagePrefix: ".mtd",
            },
          },
  ];
  for (const o of ours) {
    let res;
    try {
      res = decodeImageDetailed(img, o);
    } catch (e) {
      if (e instanceof DecodeImageError) continue;
      return {
        problem: `decodeImage(${JSON.stringify({ ...o, board: undefined })}) threw ${String(e)}`,
        outChars,
      };
    }
    const bound = res.recordSize ?? 0x10000;
    for (const r of res.records) {
      const p = checkOurs(img, r, bound);
      if (p) return { problem: p, outChars };
      outChars += r.text.length + JSON.stringify(r.context ?? {}).length;
    }
  }
  for (const recordSize of [prng.next() < 0.7 ? base.recordSize : 16 * (1 + pick(prng, 64))]) {
    let res;
    try {
      res = decodeLinuxMtdoopsImage(img, { recordSize });
    } catch (e) {
      if (e instanceof LinuxMtdoopsError) continue;
      return { problem: `decodeLinuxMtdoopsImage(${recordSize}) threw ${String(e)}`, outChars };
    }
    for (const r of res.records) {
      const p = checkLinux(img, r, recordSize, res.endian === "le");
      if (p) return { problem: p, outChars };
      outChars += r.text.length;
    }
  }
  return { problem: "", outChars };
}

/** One input: (seed, index) -> image and the base it came from. */
function makeInput(
  bases: Base[],
  seed: number,
  index: number,
): { img: Uint8Array; base: Base; how: string; prng: Prng } {
  const prng = new Prng((seed * 0x9e3779b1 + index) >>> 0);
  const base = bases[pick(prng, bases.length)] as Base;
  const other = (bases[pick(prng, bases.length)] as Base).image;
  let img: Uint8Array = base.image.slice();
  const steps = 1 + pick(prng, 3);
  const how: string[] = [];
  for (let i = 0; i < steps; i++) {
    const [name, m] = MUTATIONS[pick(prng, MUTATIONS.length)] as [string, Mutation];
    img = m(img, prng, other);
    how.push(name);
  }
  return { img, base, how: how.join("+"), prng };
}

/** Per-input time budget: linear in the size, generous for a shared machine. */
function budgetMs(bytes: number): number {
  return 50 + bytes * 0.002;
}

/** Time per byte of a 2 MB forged image over a 128 KB one: linear about 1, quadratic 16. */
export function scalingProbe(): number {
  const forged = (size: number): Uint8Array => {
    const img = new Uint8Array(size).fill(0xff);
    const prng = new Prng(1);
    for (let off = 0; off + HEADER_SIZE <= size; off += 32)
      forgeHeader(img, off, 0xff00, prng, false);
    return img;
  };
  const perByte = (img: Uint8Array): number => {
    let best = Infinity;
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      decodeImageDetailed(img);
      best = Math.min(best, performance.now() - t);
    }
    return best / img.length;
  };
  perByte(forged(1 << 17));
  return perByte(forged(1 << 21)) / perByte(forged(1 << 17));
}

export function runFuzz(seed: number, count: number, start = 0, probe = true): FuzzResult {
  // The scaling probe first, on a fresh heap: a major GC of a large heap is not decode time.
  const scaling = probe ? scalingProbe() : 0;
  const bases = [...espruinoBases(seed), ...linuxBases(seed)];
  const messages: string[] = [];
  let failures = 0;
  const fail = (msg: string): void => {
    failures++;
    if (messages.length < 20) messages.push(msg);
  };
  const heapStart = process.memoryUsage().heapUsed;
  for (let i = start; i < start + count; i++) {
    const { img, base, how, prng } = makeInput(bases, seed, i);
    const t = performance.now();
    const { problem, outChars } = decodeAndCheck(img, base, prng);
    let ms = performance.now() - t;
    const where = `seed ${seed} input ${i} (${how}, ${img.length} bytes; replay: replayFuzz(${seed}, ${i}))`;
    if (problem) {
      fail(`${where}: ${problem}`);
      continue;
    }
    if (ms > budgetMs(img.length)) {
      // Re-time before it counts: a GC pause or a busy machine is not the decoder's time.
      for (let k = 0; k < 3 && ms > budgetMs(img.length); k++) {
        const again = makeInput(bases, seed, i);
        const t2 = performance.now();
        decodeAndCheck(again.img, again.base, again.prng);
        ms = Math.min(ms, performance.now() - t2);
      }
      if (ms > budgetMs(img.length))
        fail(`${where}: took ${ms.toFixed(1)} ms, over its linear budget`);
    }
    if (outChars > 80 * img.length + 65536)
      fail(`${where}: output of ${outChars} chars, unbounded`);
    if (i % 20000 === 0 && process.memoryUsage().heapUsed - heapStart > 1024 * 1024 * 1024)
      fail(`${where}: the heap grew by more than 1 GB`);
  }
  // Linear: about 1; quadratic: 16. The margin is for a machine shared with other work.
  if (scaling > 8)
    fail(
      `seed ${seed}: time per byte of a 2 MB forged image is ${scaling.toFixed(1)}x a 128 KB one (not linear)`,
    );
  return { inputs: count + (probe ? 2 : 0), failures, messages, scaling };
}

/** Runs one input again (a failure message names its seed and index). */
export function replayFuzz(seed: number, index: number): string {
  const bases = [...espruinoBases(seed), ...linuxBases(seed)];
  const { img, base, prng } = makeInput(bases, seed, index);
  return decodeAndCheck(img, base, prng).problem;
}
