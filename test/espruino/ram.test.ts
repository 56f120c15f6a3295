// npm run bench:ram on the real interpreter: where the idle RAM goes (docs/FOOTPRINT.md,
// "The goals not met"). Checks what the page's breakdown rests on, not its values: a
// function's cost grows with its parameters, the parts fit inside what the logger holds,
// and deleting the boot-only functions after start() (the loader's last statements,
// scripts/slice-resident.ts) frees RAM on the interpreter, at least a function's cost for
// each.
//
// Needs ESPRUINO_BIN; without it, it says what it skipped, and under CI=true that is a
// failure.

import { describe, expect, it } from "vitest";
import { measureRam, ramSummary } from "../bench/ram.js";
import { interpreters } from "./espruino-process.js";

const bin = interpreters().stock;

if (!bin) {
  if (process.env["CI"] === "true")
    describe("idle RAM", () => {
      it("has an interpreter (CI=true)", () => {
        throw new Error("ESPRUINO_BIN is not set: CI must measure the idle RAM (.ci/run sets it)");
      });
    });
  else {
    // The default reporter does not show a skipped suite's title: say it on stderr too.
    console.warn("ESPRUINO_BIN not set: idle RAM breakdown skipped");
    describe.skip("ESPRUINO_BIN not set: idle RAM breakdown skipped", () => {
      it("breaks the idle RAM down", () => undefined);
    });
  }
} else {
  describe("idle RAM on the real interpreter", () => {
    it("functions, the record buffer and the rest fit in what the logger holds; the release frees the boot-only functions", async () => {
      const r = await measureRam(bin);
      console.log(ramSummary(r));
      expect(r.perFunction).toBeGreaterThan(0);
      expect(r.perParameter).toBeGreaterThan(0);
      expect(r.residentFunctions).toBeGreaterThan(0);
      expect(r.restJsVars).toBeGreaterThanOrEqual(0);
      // The Linux board releases 8 boot-only functions (build-firmware.test.ts lists them).
      expect(r.releasedJsVars).toBeGreaterThanOrEqual(8 * r.perFunction);
    }, 300_000);
  });
}
