// The realistic console log: deterministic, as long as asked, with repeated lines and
// Espruino stack traces.
import { describe, expect, it } from "vitest";
import { consoleLog } from "./console-log.js";

describe("consoleLog", () => {
  it("is the same for the same seed and different for another", () => {
    expect(consoleLog(1, 2000)).toBe(consoleLog(1, 2000));
    expect(consoleLog(2, 2000)).not.toBe(consoleLog(1, 2000));
  });

  it("is at least as long as asked, ends with a stack trace, and repeats lines", () => {
    const log = consoleLog(5, 4000);
    expect(log.length).toBeGreaterThanOrEqual(4000);
    expect(log).toMatch(
      /Uncaught Error: .*\r\n at line \d+ col \d+\r\n[\s\S]*called from system\r\n$/,
    );
    const lines = log.split("\r\n");
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
    const repeated = lines.filter((l) => (counts.get(l) ?? 0) > 1).length;
    expect(repeated).toBeGreaterThan(lines.length * 0.1);
    expect(lines.every((l) => !l.includes("\n"))).toBe(true);
  });
});
