// The Flash contract (src/core/flash.ts) as a reusable vitest suite. Every Flash
// implementation runs it: the simulator (test/flash-contract.test.ts) and the firmware's
// three backends on the virtual board (test/firmware-backends.test.ts). It uses nothing but
// the Flash interface.
//
// It assumes nothing about the contents `make()` returns (it erases what it uses), and
// never programs a unit twice unless `opts.reprogram` says the backend allows it.

import { describe, expect, it } from "vitest";
import { crc32 } from "../src/core/crc32.js";
import { checkGeometry, isFlashError } from "../src/core/flash.js";
import type { Flash, FlashErrorCode } from "../src/core/flash.js";

export interface FlashContractOptions {
  /**
   * The backend accepts a program onto units already programmed, combining the data as
   * NOR flash does (AND on 0xFF flash). Enables the "program ANDs" test. Default false.
   */
  reprogram?: boolean;
}

/** Calls `fn` and checks that it throws a FlashError with code `code`. */
export function expectFlashError(fn: () => unknown, code: FlashErrorCode): void {
  let thrown: unknown = undefined;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    thrown = e;
  }
  expect(threw, "expected a FlashError " + code + ", nothing was thrown").toBe(true);
  expect(isFlashError(thrown), "expected a FlashError, got " + String(thrown)).toBe(true);
  expect((thrown as { code: unknown }).code).toBe(code);
}

/**
 * Checks that `actual` equals `expected` byte for byte. Much faster than toEqual on large
 * arrays; on a mismatch it reports the first differing offset and the bytes around it.
 */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, what = "bytes"): void {
  expect(actual.length, what + ": length").toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      const from = Math.max(0, i - 4);
      const to = Math.min(expected.length, i + 12);
      expect(
        Array.from(actual.subarray(from, to)),
        what + ": first difference at offset " + i + " (window from " + from + ")",
      ).toEqual(Array.from(expected.subarray(from, to)));
    }
  }
}

/** A deterministic test pattern of `len` bytes, different for each `salt`. */
export function pattern(len: number, salt: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = (salt * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < len; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** What `program(data)` onto `before` leaves: bits move only away from the erased value. */
export function combined(before: Uint8Array, data: Uint8Array, erasedValue: number): Uint8Array {
  const out = new Uint8Array(before.length);
  for (let i = 0; i < before.length; i++) {
    const e = erasedValue;
    out[i] = e ^ (((before[i] as number) ^ e) | ((data[i] as number) ^ e));
  }
  return out;
}

/** `len` bytes of `value` (erased flash, or a fill). */
export function filled(len: number, value: number): Uint8Array {
  return new Uint8Array(len).fill(value);
}

export function describeFlashContract(
  name: string,
  make: () => Flash,
  opts: FlashContractOptions = {},
): void {
  describe("Flash contract: " + name, () => {
    it("has a usable geometry", () => {
      const g = make().geometry;
      expect(checkGeometry(g)).toBe("");
    });

    it("reads erasedValue everywhere in a block after erase", () => {
      const flash = make();
      const { size, eraseSize, erasedValue } = flash.geometry;
      for (const addr of [0, size - eraseSize]) {
        flash.erase(addr);
        expectBytes(flash.read(addr, eraseSize), filled(eraseSize, erasedValue));
      }
    });

    it("erases a programmed block back to erasedValue", () => {
      const flash = make();
      const { eraseSize, pageSize, erasedValue } = flash.geometry;
      flash.erase(0);
      for (let addr = 0; addr < eraseSize; addr += pageSize) {
        flash.program(addr, pattern(pageSize, addr));
      }
      flash.erase(0);
      expectBytes(flash.read(0, eraseSize), filled(eraseSize, erasedValue));
    });

    it("read returns a new array of the requested length, every time", () => {
      const flash = make();
      const { size, eraseSize, progUnit, erasedValue } = flash.geometry;
      const n = Math.min(16, eraseSize);
      flash.erase(0);
      const a = flash.read(0, n);
      expect(a).toBeInstanceOf(Uint8Array);
      expect(a.length).toBe(n);
      a.fill(erasedValue ^ 0xff);
      expectBytes(flash.read(0, n), filled(n, erasedValue));
      const b = flash.read(0, n);
      const c = flash.read(0, n);
      expect(b).not.toBe(c);
      b[0] = erasedValue ^ 0x01;
      expect(c[0]).toBe(erasedValue);
      expect(flash.read(0, 0).length).toBe(0);
      expect(flash.read(size, 0).length).toBe(0);
      // any address and length inside the partition, aligned or not
      expect(flash.read(1, progUnit + 2).length).toBe(progUnit + 2);
      expect(flash.read(size - 3, 3).length).toBe(3);
      expect(flash.read(0, size).length).toBe(size);
    });

    it("programs data onto erased units exactly", () => {
      const flash = make();
      const { pageSize, eraseSize } = flash.geometry;
      flash.erase(0);
      const data = pattern(pageSize, 1);
      flash.program(0, data);
      expectBytes(flash.read(0, pageSize), data);
      if (eraseSize > pageSize) {
        const more = pattern(pageSize, 2);
        flash.program(eraseSize - pageSize, more);
        expectBytes(flash.read(eraseSize - pageSize, pageSize), more);
      }
    });

    it("programs single units at unit-aligned addresses", () => {
      const flash = make();
      const { progUnit, pageSize, erasedValue } = flash.geometry;
      flash.erase(0);
      const unit = pattern(progUnit, 3);
      const addr = pageSize > progUnit ? progUnit : 0;
      flash.program(addr, unit);
      expectBytes(flash.read(addr, progUnit), unit);
      if (addr > 0) expectBytes(flash.read(0, addr), filled(addr, erasedValue));
    });

    it("keeps no reference to the caller's data", () => {
      const flash = make();
      const { pageSize } = flash.geometry;
      flash.erase(0);
      const data = pattern(pageSize, 4);
      const copy = data.slice();
      flash.program(0, data);
      data.fill(0x5a);
      expectBytes(flash.read(0, pageSize), copy);
    });

    it("programs the last unit of the partition", () => {
      const flash = make();
      const { size, eraseSize, progUnit } = flash.geometry;
      flash.erase(size - eraseSize);
      const unit = pattern(progUnit, 5);
      flash.program(size - progUnit, unit);
      expectBytes(flash.read(size - progUnit, progUnit), unit);
    });

    it("a program, then erase, then program leaves the second data", () => {
      const flash = make();
      const { pageSize } = flash.geometry;
      flash.erase(0);
      flash.program(0, pattern(pageSize, 6));
      flash.erase(0);
      const second = pattern(pageSize, 7);
      flash.program(0, second);
      expectBytes(flash.read(0, pageSize), second);
    });

    it("a program touches nothing outside its range", () => {
      const flash = make();
      const { eraseSize, progUnit, pageSize, erasedValue } = flash.geometry;
      flash.erase(0);
      // the middle of a page, one unit in from each end when the page allows it
      const start = pageSize >= 4 * progUnit ? progUnit : 0;
      const len = pageSize >= 4 * progUnit ? pageSize - 2 * progUnit : pageSize;
      const data = new Uint8Array(len).fill(erasedValue ^ 0xff);
      flash.program(start, data);
      const all = flash.read(0, eraseSize);
      expectBytes(all.subarray(start, start + len), data);
      expectBytes(all.subarray(0, start), filled(start, erasedValue));
      expectBytes(all.subarray(start + len), filled(eraseSize - start - len, erasedValue));
    });

    it("an erase touches no other block", ({ skip }) => {
      const flash = make();
      const { size, eraseSize } = flash.geometry;
      if (size < 3 * eraseSize) {
        skip("needs three blocks");
        return;
      }
      for (const b of [0, 1, 2]) {
        flash.erase(b * eraseSize);
        flash.program(b * eraseSize, pattern(flash.geometry.pageSize, 10 + b));
      }
      const before0 = flash.read(0, eraseSize);
      const before2 = flash.read(2 * eraseSize, eraseSize);
      flash.erase(eraseSize);
      expectBytes(flash.read(0, eraseSize), before0);
      expectBytes(flash.read(2 * eraseSize, eraseSize), before2);
      expectBytes(flash.read(eraseSize, eraseSize), filled(eraseSize, flash.geometry.erasedValue));
    });

    it("reads across block boundaries", ({ skip }) => {
      const flash = make();
      const { size, eraseSize, progUnit, pageSize } = flash.geometry;
      if (size < 2 * eraseSize) {
        skip("needs two blocks");
        return;
      }
      flash.erase(0);
      flash.erase(eraseSize);
      const tail = pattern(pageSize, 20);
      const head = pattern(pageSize, 21);
      flash.program(eraseSize - pageSize, tail);
      flash.program(eraseSize, head);
      const span = flash.read(eraseSize - progUnit * 2, progUnit * 4);
      const expected = new Uint8Array(progUnit * 4);
      expected.set(tail.subarray(pageSize - progUnit * 2), 0);
      expected.set(head.subarray(0, progUnit * 2), progUnit * 2);
      expectBytes(span, expected);
    });

    if (opts.reprogram === true) {
      it("program ANDs into programmed units (moves bits only away from erased)", () => {
        const flash = make();
        const { pageSize, erasedValue } = flash.geometry;
        flash.erase(0);
        const first = pattern(pageSize, 30);
        const second = pattern(pageSize, 31);
        flash.program(0, first);
        flash.program(0, second);
        const expected = combined(first, second, erasedValue);
        expectBytes(flash.read(0, pageSize), expected);
        if (erasedValue === 0xff) {
          expectBytes(
            expected,
            first.map((v, i) => v & (second[i] as number)),
          );
        }
      });
    }

    describe("misuse throws EINVAL and changes nothing", () => {
      it("program out of range", () => {
        const flash = make();
        const { size, eraseSize, progUnit } = flash.geometry;
        flash.erase(size - eraseSize);
        const before = flash.read(size - eraseSize, eraseSize);
        const unit = pattern(progUnit, 40);
        expectFlashError(() => flash.program(size, unit), "EINVAL");
        expectFlashError(() => flash.program(-progUnit, unit), "EINVAL");
        expectFlashError(() => flash.program(size + eraseSize, unit), "EINVAL");
        expectFlashError(() => flash.program(size - progUnit, pattern(2 * progUnit, 41)), "EINVAL");
        expectBytes(flash.read(size - eraseSize, eraseSize), before);
      });

      it("program at a misaligned address", ({ skip }) => {
        const flash = make();
        const { progUnit, erasedValue } = flash.geometry;
        if (progUnit === 1) {
          skip("every address is aligned when progUnit is 1");
          return;
        }
        flash.erase(0);
        expectFlashError(() => flash.program(1, pattern(progUnit, 42)), "EINVAL");
        expectFlashError(() => flash.program(progUnit / 2, pattern(progUnit, 43)), "EINVAL");
        expectBytes(flash.read(0, 2 * progUnit), filled(2 * progUnit, erasedValue));
      });

      it("program at a non-integer address", () => {
        const flash = make();
        const { progUnit } = flash.geometry;
        flash.erase(0);
        expectFlashError(() => flash.program(0.5, pattern(progUnit, 44)), "EINVAL");
        expectFlashError(() => flash.program(NaN, pattern(progUnit, 44)), "EINVAL");
      });

      it("program of a length that is not a multiple of progUnit", ({ skip }) => {
        const flash = make();
        const { progUnit, erasedValue } = flash.geometry;
        if (progUnit === 1) {
          skip("every length is a multiple when progUnit is 1");
          return;
        }
        flash.erase(0);
        expectFlashError(() => flash.program(0, pattern(progUnit + 1, 45)), "EINVAL");
        expectFlashError(() => flash.program(0, pattern(progUnit - 1, 46)), "EINVAL");
        expectBytes(flash.read(0, 2 * progUnit), filled(2 * progUnit, erasedValue));
      });

      it("program that crosses a page boundary", ({ skip }) => {
        const flash = make();
        const { size, pageSize, progUnit, eraseSize, erasedValue } = flash.geometry;
        if (size < 2 * pageSize) {
          skip("needs two pages");
          return;
        }
        flash.erase(0);
        if (pageSize === eraseSize) flash.erase(eraseSize);
        expectFlashError(
          () => flash.program(pageSize - progUnit, pattern(2 * progUnit, 47)),
          "EINVAL",
        );
        expectFlashError(() => flash.program(0, pattern(pageSize + progUnit, 48)), "EINVAL");
        expectFlashError(() => flash.program(0, pattern(2 * pageSize, 49)), "EINVAL");
        expectBytes(flash.read(0, 2 * pageSize), filled(2 * pageSize, erasedValue));
      });

      it("erase at an address that is not a multiple of eraseSize", () => {
        const flash = make();
        const { eraseSize, progUnit, pageSize } = flash.geometry;
        flash.erase(0);
        const data = pattern(pageSize, 50);
        flash.program(0, data);
        expectFlashError(() => flash.erase(progUnit), "EINVAL");
        expectFlashError(() => flash.erase(1), "EINVAL");
        expectFlashError(() => flash.erase(eraseSize / 2), "EINVAL");
        expectFlashError(() => flash.erase(0.5), "EINVAL");
        expectBytes(flash.read(0, pageSize), data);
      });

      it("erase out of range", () => {
        const flash = make();
        const { size, eraseSize } = flash.geometry;
        expectFlashError(() => flash.erase(size), "EINVAL");
        expectFlashError(() => flash.erase(-eraseSize), "EINVAL");
        expectFlashError(() => flash.erase(size + eraseSize), "EINVAL");
      });

      it("read out of range", () => {
        const flash = make();
        const { size } = flash.geometry;
        expectFlashError(() => flash.read(size, 1), "EINVAL");
        expectFlashError(() => flash.read(-1, 1), "EINVAL");
        expectFlashError(() => flash.read(size - 1, 2), "EINVAL");
        expectFlashError(() => flash.read(0, size + 1), "EINVAL");
        expectFlashError(() => flash.read(0, -1), "EINVAL");
      });
    });

    // Only for a backend that has crc32 (src/core/flash.ts): the CRC of what read() returns.
    const crcFlash = (): (Flash & { crc32(a: number, n: number): number }) | undefined => {
      const f = make();
      return f.crc32 ? (f as Flash & { crc32(a: number, n: number): number }) : undefined;
    };
    it("crc32, where the backend has it, is the CRC-32 of what read returns", () => {
      const flash = crcFlash();
      if (!flash) return;
      const { size, eraseSize, pageSize } = flash.geometry;
      flash.erase(0);
      flash.erase(eraseSize);
      flash.program(eraseSize - pageSize, pattern(pageSize, 60));
      flash.program(eraseSize, pattern(pageSize, 61));
      const ranges: Array<[number, number]> = [
        [0, 0],
        [0, eraseSize],
        [eraseSize - pageSize, pageSize],
        [eraseSize - pageSize + 1, 3],
        [eraseSize - 5, 10], // across two blocks
        [0, 2 * eraseSize],
        [size - 7, 7],
      ];
      for (const [a, n] of ranges)
        expect(flash.crc32(a, n), a + "+" + n).toBe(crc32(flash.read(a, n)));
      // A program or an erase between two calls shows in the second: nothing is cached.
      flash.erase(0);
      const erased = flash.crc32(0, pageSize);
      expect(erased).toBe(crc32(filled(pageSize, flash.geometry.erasedValue)));
      flash.program(0, pattern(pageSize, 62));
      expect(flash.crc32(0, pageSize)).toBe(crc32(pattern(pageSize, 62)));
      flash.erase(0);
      expect(flash.crc32(0, pageSize)).toBe(erased);
    });

    it("crc32 out of range throws as read does", () => {
      const flash = crcFlash();
      if (!flash) return;
      const { size } = flash.geometry;
      expectFlashError(() => flash.crc32(size, 1), "EINVAL");
      expectFlashError(() => flash.crc32(-1, 1), "EINVAL");
      expectFlashError(() => flash.crc32(size - 1, 2), "EINVAL");
      expectFlashError(() => flash.crc32(0, -1), "EINVAL");
    });
  });
}
