// CRC-32 for the host decoders: an index that gives the CRC (src/core/crc32.ts: zlib's) of
// any range of an image in constant time.
//
// Why the index: scanning an image for records at every 4-byte offset checks a CRC at each
// offset that looks like a header. A crafted image can repeat a header claiming a 64 KB
// payload every few bytes; computing each CRC byte by byte then costs the image size times
// 64 KB (quadratic: 86 s for 1 MB). With the index, each check is a few dozen operations.
//
// The algebra (the same as zlib's crc32_combine, zlib/crc32.c): the CRC register is linear
// over GF(2). Let R(i) be the register after the bytes [0, i) fed from 0, with no final XOR,
// and Z^n(v) the register after feeding n zero bytes from v, i.e. v times x^(8n) modulo
// the polynomial. Then for the range [a, b) of length L:
//   crc32(image[a..b)) = Z^L(0xFFFFFFFF ^ R(a)) ^ R(b) ^ 0xFFFFFFFF.

import { crc32Table } from "../core/crc32.js";

const POLY = 0xedb88320;

/** a(x) * b(x) modulo the polynomial, both in the reflected representation (x^0 = bit 31). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, k = 0..31. */
const X2N = ((): Uint32Array => {
  const t = new Uint32Array(32);
  let p = 0x40000000; // x^1
  t[0] = p;
  for (let k = 1; k < 32; k++) t[k] = p = multModP(p, p);
  return t;
})();

/** x^(8n) modulo the polynomial: the operator of n zero bytes. */
function zeroBytesOperator(n: number): number {
  let p = 0x80000000; // x^0
  let k = 3;
  while (n > 0) {
    if (n & 1) p = multModP(X2N[k & 31] as number, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** Constant-time CRC-32 of any range of one image (4 bytes of memory per image byte). */
export class CrcIndex {
  private readonly prefix: Uint32Array;
  private readonly operators = new Map<number, number>();

  constructor(image: Uint8Array) {
    const table = crc32Table();
    const r = new Uint32Array(image.length + 1);
    let c = 0;
    for (let i = 0; i < image.length; i++) {
      c = (table[(c ^ (image[i] as number)) & 0xff] as number) ^ (c >>> 8);
      r[i + 1] = c;
    }
    this.prefix = r;
  }

  /** crc32 of image[start, end). */
  crc(start: number, end: number): number {
    const len = end - start;
    let op = this.operators.get(len);
    if (op === undefined) {
      op = zeroBytesOperator(len);
      // Lengths are bounded by the largest record (64 KB): the cache stays small.
      if (this.operators.size < 70_000) this.operators.set(len, op);
    }
    const ra = this.prefix[start] as number;
    const rb = this.prefix[end] as number;
    return (multModP(op, (0xffffffff ^ ra) >>> 0) ^ rb ^ 0xffffffff) >>> 0;
  }
}
