// The built-in modules require() returns on the virtual board: "Flash" over the board's
// chip (the partition backed by the SimulatedNorFlash, the rest of the chip kept sparse),
// "Storage" over the VirtualStorage (Espruino's pre-allocation semantics:
// virtual-storage.ts), "heatshrink" (src/codec/heatshrink.ts). The calls that touch flash
// or Storage throw once the power is cut. Host-only.

import { heatshrinkCompress, heatshrinkDecompress } from "../codec/heatshrink.js";
import { programAligned } from "./nor-flash.js";
import { asBytes, fromLatin1, latin1 } from "./espruino-values.js";
import type { ShimHost } from "./shim-host.js";
import type { VirtualStorage } from "./virtual-storage.js";

/** A copy of the bytes as an ArrayBuffer of their own. */
function ownBuffer(b: Uint8Array): ArrayBufferLike {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

/**
 * require("Flash"). `outsidePartition` holds the chip's pages outside the partition
 * (page address -> bytes), kept by the caller so they outlive a soft reset.
 */
export function flashModule(
  host: ShimHost,
  live: () => void,
  outsidePartition: Map<number, Uint8Array>,
): Record<string, unknown> {
  const board = host.board;
  const flash = host.flash;
  const page = board.eraseSize;
  const part =
    board.backend === "flash" ? { start: board.start, end: board.start + board.size } : undefined;
  const chip = board.chip ?? { start: board.start, size: board.size };
  const check = (a: number, n: number): void => {
    if (!(a >= chip.start && a + n <= chip.start + chip.size))
      throw new Error("Flash address 0x" + a.toString(16) + "+" + n + " outside the chip");
  };
  const sparse = (p: number): Uint8Array => {
    let b = outsidePartition.get(p);
    if (!b) {
      b = new Uint8Array(page).fill(0xff);
      outsidePartition.set(p, b);
    }
    return b;
  };
  return {
    getPage: (addr: unknown) => {
      const a = Number(addr);
      if (!(a >= chip.start && a < chip.start + chip.size)) return undefined;
      return { addr: Math.floor(a / page) * page, length: page };
    },
    getFree: () => (part ? [{ addr: part.start, length: part.end - part.start }] : []),
    read: (len: unknown, addr: unknown) => {
      live();
      const n = Number(len);
      const a = Number(addr);
      check(a, n);
      const out = new Uint8Array(n);
      for (let i = 0; i < n;) {
        const at = a + i;
        const p = Math.floor(at / page) * page;
        const k = Math.min(n - i, p + page - at);
        if (part && at >= part.start && at < part.end) out.set(flash.read(at - part.start, k), i);
        else out.set(sparse(p).subarray(at - p, at - p + k), i);
        i += k;
      }
      return out;
    },
    write: (data: unknown, addr: unknown) => {
      live();
      const d = asBytes(data);
      const a = Number(addr);
      check(a, d.length);
      for (let i = 0; i < d.length;) {
        const at = a + i;
        const p = Math.floor(at / page) * page;
        const k = Math.min(d.length - i, p + page - at);
        if (part && at >= part.start && at < part.end)
          programAligned(flash, at - part.start, d.subarray(i, i + k));
        else {
          const b = sparse(p);
          for (let j = 0; j < k; j++)
            b[at - p + j] = (b[at - p + j] as number) & (d[i + j] as number);
        }
        i += k;
      }
    },
    erasePage: (addr: unknown) => {
      live();
      const a = Number(addr);
      if (!Number.isInteger(a)) throw new Error("Invalid page address");
      check(a, 1);
      const p = Math.floor(a / page) * page;
      if (part && p >= part.start && p < part.end) flash.erase(p - part.start);
      else outsidePartition.delete(p);
    },
  };
}

/** require("Storage"). */
export function storageModule(st: VirtualStorage, live: () => void): Record<string, unknown> {
  const read = (name: unknown, offset?: unknown, length?: unknown): Uint8Array | undefined => {
    live();
    return st.read(
      String(name),
      offset === undefined ? undefined : Number(offset),
      length === undefined ? undefined : Number(length),
    );
  };
  return {
    read: (name: unknown, offset?: unknown, length?: unknown) => {
      const b = read(name, offset, length);
      return b === undefined ? undefined : latin1(b);
    },
    readArrayBuffer: (name: unknown) => {
      const b = read(name);
      return b === undefined ? undefined : ownBuffer(b);
    },
    readJSON: (name: unknown, noExceptions?: unknown) => {
      const b = read(name);
      if (b === undefined) return undefined;
      try {
        return JSON.parse(latin1(b));
      } catch (e) {
        if (noExceptions) return undefined;
        throw e;
      }
    },
    write: (name: unknown, data: unknown, offset?: unknown, size?: unknown) => {
      live();
      return st.write(
        String(name),
        asBytes(data),
        offset === undefined ? undefined : Number(offset),
        size === undefined ? undefined : Number(size),
      );
    },
    writeJSON: (name: unknown, obj: unknown) => {
      live();
      return st.write(String(name), fromLatin1(JSON.stringify(obj)));
    },
    erase: (name: unknown) => {
      live();
      st.erase(String(name));
    },
    eraseAll: () => {
      live();
      st.eraseAll();
    },
    list: (re?: unknown) => {
      const names = st.list();
      return re instanceof RegExp || Object.prototype.toString.call(re) === "[object RegExp]"
        ? names.filter((n) => (re as RegExp).test(n))
        : typeof re === "string"
          ? names.filter((n) => n === re)
          : names;
    },
    getFree: () => st.stats().freeBytes,
    getStats: () => st.stats(),
    compact: () => st.compact(),
    hash: () => 0,
    open: () => {
      throw new Error("StorageFile is not supported by the virtual board");
    },
  };
}

/** require("heatshrink"): compress and decompress return ArrayBuffers, as Espruino's. */
export function heatshrinkModule(): Record<string, unknown> {
  return {
    compress: (d: unknown) => ownBuffer(heatshrinkCompress(asBytes(d))),
    decompress: (d: unknown) => ownBuffer(heatshrinkDecompress(asBytes(d), { strict: false })),
  };
}
