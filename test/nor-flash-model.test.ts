// Property test: random sequences of reads, programs, erases and clones on the simulator
// (copy-on-write blocks, forks) agree with a naive model, a plain byte array per flash.

import fc from "fast-check";
import { describe, it } from "vitest";
import type { FlashGeometry } from "../src/core/flash.js";
import { SimulatedNorFlash } from "../src/sim/nor-flash.js";
import { expectBytes, pattern } from "./flash-contract.js";

const geometry: FlashGeometry = {
  size: 4 * 256,
  eraseSize: 256,
  pageSize: 64,
  progUnit: 2,
  erasedValue: 0xff,
};

type Op =
  | { kind: "erase"; target: number; block: number }
  | { kind: "program"; target: number; page: number; unit: number; units: number; salt: number }
  | { kind: "read"; target: number; addr: number; len: number }
  | { kind: "clone"; target: number };

const unitsPerPage = geometry.pageSize / geometry.progUnit;
const pages = geometry.size / geometry.pageSize;

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("erase" as const),
    target: fc.nat(),
    block: fc.nat(geometry.size / geometry.eraseSize - 1),
  }),
  fc
    .record({
      kind: fc.constant("program" as const),
      target: fc.nat(),
      page: fc.nat(pages - 1),
      unit: fc.nat(unitsPerPage - 1),
      units: fc.integer({ min: 1, max: unitsPerPage }),
      salt: fc.nat(),
    })
    .map((o) => ({ ...o, units: Math.min(o.units, unitsPerPage - o.unit) })),
  fc
    .record({
      kind: fc.constant("read" as const),
      target: fc.nat(),
      addr: fc.nat(geometry.size),
      len: fc.nat(geometry.size),
    })
    .map((o) => ({ ...o, len: Math.min(o.len, geometry.size - o.addr) })),
  fc.record({ kind: fc.constant("clone" as const), target: fc.nat() }),
);

describe("SimulatedNorFlash against a model", () => {
  it("random operations and forks agree with a byte-array model", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const flashes = [new SimulatedNorFlash({ geometry })];
        const models = [new Uint8Array(geometry.size).fill(0xff)];
        for (const o of ops) {
          const i = o.target % flashes.length;
          const flash = flashes[i] as SimulatedNorFlash;
          const model = models[i] as Uint8Array;
          switch (o.kind) {
            case "erase":
              flash.erase(o.block * geometry.eraseSize);
              model.fill(0xff, o.block * geometry.eraseSize, (o.block + 1) * geometry.eraseSize);
              break;
            case "program": {
              const addr = o.page * geometry.pageSize + o.unit * geometry.progUnit;
              const data = pattern(o.units * geometry.progUnit, o.salt);
              flash.program(addr, data);
              for (let k = 0; k < data.length; k++) {
                model[addr + k] = (model[addr + k] as number) & (data[k] as number);
              }
              break;
            }
            case "read":
              expectBytes(flash.read(o.addr, o.len), model.subarray(o.addr, o.addr + o.len));
              break;
            case "clone":
              flashes.push(flash.clone());
              models.push(model.slice());
              break;
          }
        }
        for (let i = 0; i < flashes.length; i++) {
          expectBytes((flashes[i] as SimulatedNorFlash).toImage(), models[i] as Uint8Array);
        }
      }),
      { numRuns: 300 },
    );
  });
});
