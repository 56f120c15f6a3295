// npm run bench:ram on the real interpreter: where the idle RAM goes (docs/FOOTPRINT.md,
// "The goals not met"). Checks what the page's breakdown rests on, not its values: a
// function's cost grows with its parameters, the parts fit inside what the logger holds,
// and deleting the boot-only functions after start() (the loader's last statements,
// scripts/slice-resident.ts) frees RAM on the interpreter, at least a function's cost for
// each. And the measured trade that would meet the idle goal (the write path made at each
// record instead of kept) is consistent: what the functions take when made is what they
// hold when kept.
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
    it("functions, the record buffer and the rest fit in what the logger holds; the release frees the boot-only functions; the write path made on demand", async () => {
      const r = await measureRam(bin);
      console.log(ramSummary(r));
      expect(r.perFunction).toBeGreaterThan(0);
      expect(r.perParameter).toBeGreaterThan(0);
      expect(r.residentFunctions).toBeGreaterThan(0);
      expect(r.restJsVars).toBeGreaterThanOrEqual(0);
      // The Linux board releases 8 boot-only functions (build-firmware.test.ts lists them).
      expect(r.releasedJsVars).toBeGreaterThanOrEqual(8 * r.perFunction);
      // The trade docs/FOOTPRINT.md weighs for the idle goal: the write path made at each
      // record. The trace keeps what a console line and a refused crash call, and makes
      // the rest; what the made functions take when made is what they hold when kept (the
      // object holding them and its properties aside), two measurements that must agree.
      const d = r.onDemand;
      expect(d.kept.length).toBeGreaterThan(0);
      expect(d.made.length).toBeGreaterThan(d.kept.length);
      expect(d.idleJsVars).toBeLessThan(r.idleJsVars);
      expect(Math.abs(d.makeJsVars - d.heldJsVars)).toBeLessThanOrEqual(2);
      expect(d.crashL).toBeGreaterThan(0);
      expect(d.crashMadeL).toBeGreaterThan(0);
    }, 300_000);
  });
}
