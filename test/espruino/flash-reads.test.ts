// npm run bench:flash-reads on the real interpreter: the flash reads behind the boot time
// (docs/FOOTPRINT.md, "Where the time goes: flash reads"). Checks that the counts are what
// the page says they are made of: the resident code's loader is lexed once (a read per 16
// bytes) and the functions it makes are not (scripts/slice-resident.ts), the boot reads
// more than its definitions alone, and a console line reads the capture's code again. And
// it holds each count to a budget just above today's: a read costs time on every board
// whose Storage is not memory-mapped, and the counts, unlike the times, are the same on a
// loaded machine.
//
// Needs ESPRUINO_BIN and strace; without them it says what it skipped, and under CI=true
// that is a failure (.ci/run installs strace).

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { StraceError, flashReadsSummary, measureFlashReads } from "../bench/flash-reads.js";
import { interpreters } from "./espruino-process.js";

const bin = interpreters().stock;
let strace = true;
try {
  execFileSync("strace", ["-V"], { stdio: "ignore" });
} catch {
  strace = false;
}
const missing = !bin ? "ESPRUINO_BIN is not set" : !strace ? "strace is not installed" : "";

if (missing) {
  if (process.env["CI"] === "true")
    describe("flash reads", () => {
      it("has an interpreter and strace (CI=true)", () => {
        throw new Error(
          missing + ": CI must count the boot's flash reads (.ci/run installs strace)",
        );
      });
    });
  else {
    // The default reporter does not show a skipped suite's title: say it on stderr too.
    console.warn(missing + ": flash-read counts skipped");
    describe.skip(missing + ": flash-read counts skipped", () => {
      it("counts the boot's flash reads", () => undefined);
    });
  }
} else {
  describe("flash reads on the real interpreter", () => {
    it("the boot lexes the loader, not the functions it makes, and reads more than the definitions alone", async () => {
      let r;
      try {
        r = await measureFlashReads(bin as string);
      } catch (e) {
        // A container without ptrace: nothing to count with, and nothing wrong with the logger.
        if (e instanceof StraceError) {
          console.warn("flash-read counts skipped: " + e.message);
          return;
        }
        throw e;
      }
      console.log(flashReadsSummary(r));
      expect(r.definitions).toBeGreaterThanOrEqual(Math.floor(r.loaderBytes / 16));
      // Lexing the whole file would be a read per 16 bytes of it; the loader is a fifth.
      expect(r.definitions).toBeLessThan(Math.floor(r.coreBytes / 16) / 2);
      expect(r.boot).toBeGreaterThan(r.definitions);
      expect(r.firstBoot).toBeGreaterThan(r.boot);
      expect(r.mountCopy).toBeGreaterThan(0);
      expect(r.line).toBeGreaterThan(0);
      expect(r.suppressed).toBeGreaterThan(0);
      // A recorded crash writes what a panic writes and reads the record back (a KB of slot).
      expect(r.crash).toBeGreaterThan(r.panic + 1024 / 16);
      // Most of a recorded crash's reads lex the resident code: made from a RAM copy, the
      // same crash reads little more than the record it writes and reads back.
      expect(r.crashCodeInRam).toBeLessThan(r.crash / 3);
      expect(r.codeInRamJsVars).toBeGreaterThan(0);
      expect(r.readL).toBeGreaterThan(0);
      // A read is a file operation on this build: far below a tenth of L (0.008-0.011 L measured).
      expect(r.readL).toBeLessThan(0.1);
      // The boot's parts, timed alone, fit inside the boot, and each takes time.
      expect(r.definitionsL).toBeGreaterThan(0);
      expect(r.mountCopyL).toBeGreaterThan(0);
      expect(r.definitionsL + r.mountCopyL).toBeLessThan(r.bootL);
      // The counts, unlike the times, do not move with the machine's load: each is held to
      // a budget just above what docs/FOOTPRINT.md gives, so that a change which makes the
      // boot, a line, a panic or a crash lex or read more fails here, whatever the times
      // did in that run. A recorded crash moves with its compression tries (488-737).
      expect(r.boot).toBeLessThanOrEqual(1100);
      expect(r.firstBoot).toBeLessThanOrEqual(1300);
      expect(r.definitions).toBeLessThanOrEqual(125);
      expect(r.mountCopy).toBeLessThanOrEqual(460);
      expect(r.line).toBeLessThanOrEqual(48);
      expect(r.panic).toBeLessThanOrEqual(350);
      expect(r.crash).toBeLessThanOrEqual(850);
      expect(r.suppressed).toBeLessThanOrEqual(25);
    }, 300_000);
  });
}
