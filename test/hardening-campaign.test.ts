// Fast slices of the hardening campaign (npm run test:hardening runs it whole): the same
// code with fewer inputs, so that a change that breaks a piece fails here first.

import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { putU32 } from "../src/core/record.js";
import { decodeImageDetailed } from "../src/host/decode-image.js";
import { boardIds, faultRun } from "./hardening/faults.js";
import { checkOurs, replayFuzz, runFuzz } from "./hardening/fuzz.js";
import { oneRun } from "./hardening/serial.js";
import { boardRecords } from "./hardening/devices.js";

describe("campaign slices", () => {
  it("fuzz: 4000 mutated images through both decoders, no failure", () => {
    // (Without the timing probe: test/decode-linear.test.ts measures that alone.)
    const r = runFuzz(12, 4000, 0, false);
    expect(r.messages).toEqual([]);
    expect(r.failures).toBe(0);
    expect(r.inputs).toBe(4000);
  });

  it("fuzz: an input is replayed from its seed and index", () => {
    expect(replayFuzz(12, 17)).toBe("");
  });

  it("fuzz: the record check catches a record that does not match its bytes", () => {
    const rec = boardRecords()[0]!;
    const img = new Uint8Array(256).fill(0xff);
    img.set(rec.raw);
    const [decoded] = decodeImageDetailed(img, { recordSize: 256 }).records;
    expect(checkOurs(img, decoded!, 256)).toBe("");
    const bad = img.slice();
    putU32(bad, 28, 99); // another seq: the CRC no longer holds
    expect(checkOurs(bad, decoded!, 256)).toMatch(/another seq/);
    bad.set(img);
    bad[60] = (bad[60] as number) ^ 1;
    expect(checkOurs(bad, decoded!, 256)).toMatch(/fails its CRC/);
  });

  it("faults: every board geometry, two seeds, no hang and nothing lost", () => {
    for (const id of boardIds()) {
      for (const seed of [101, 102]) {
        const r = faultRun(id, seed);
        expect(r.hang, r.hang).toBe("");
        expect(r.lost, r.lost).toBe("");
      }
    }
  });

  // Cases the campaign failed on (issue 12), replayed as they are. HARDENING_SEED=125937:
  // puckjs, mdbt42q and pixljs (one geometry) at seed 125937014 mounted an empty log over a
  // record a flipped read had hidden and reused seq 1 (the mount's block check now reads
  // such a header twice: test/log-faults-property.test.ts); esp32 at seed 125937023 had an
  // erase that failed twice and then erased its block, which the campaign took for an
  // unreported bad block (a block a retry erased is not bad: the check now judges a block
  // by its latest erase). With the mount's extra reads the flips draw other numbers and the
  // esp32 run takes another path; banglejs2 3019 and esp32 7015 are runs where, with the
  // fixed mount, a retry still erases a failing block while no block is bad.
  it.each([
    ["puckjs", 125937014],
    ["mdbt42q", 125937014],
    ["pixljs", 125937014],
    ["esp32", 125937023],
    ["banglejs2", 3019],
    ["esp32", 7015],
  ] as const)("faults: %s seed %i, no hang and nothing lost", (id, seed) => {
    const r = faultRun(id, seed);
    expect(r.hang, r.hang).toBe("");
    expect(r.lost, r.lost).toBe("");
  });

  describe("serial over real TCP", () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "mtdoops-campaign-"));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));
    for (const kind of ["good", "dup-rec", "begin-4gb", "error-escape"] as const) {
      it(kind, async () => {
        expect(await oneRun({ kind, transport: "tcp", seed: 1 }, tmp)).toBe("");
      });
    }
    // Seed 2670462's random bytes held "\n>", which passed for an Espruino prompt: the error
    // said "the logger is not installed" instead of "binary data" (a wrong baud rate).
    it("noise, seed 2670462", async () => {
      expect(await oneRun({ kind: "noise", transport: "tcp", seed: 2670462 }, tmp)).toBe("");
    });
  });
});
