// A slice of the power-loss sweep (the whole sweep: npm run test:powerloss), and proof that
// its checks catch a lost and a forged record.
import { describe, expect, it } from "vitest";
import { GEOMETRIES, runSweep } from "./powerloss/sweep.js";

describe("power-loss sweep", () => {
  it("loses and forges nothing when cut at every operation of one workload per geometry", () => {
    const r = runSweep({ seeds: [101] });
    expect(r.failures).toEqual([]);
    expect(r.scenarios).toBeGreaterThan(4000);
    expect([r.lost, r.corrupt]).toEqual([0, 0]);
  });

  it("reports records destroyed behind the log's back as lost", () => {
    const r = runSweep({
      geometries: [GEOMETRIES[0]!],
      seeds: [1],
      laps: 1,
      sabotage: "erase-newest",
    });
    expect(r.lost).toBeGreaterThan(0);
  });

  it("reports a record with a valid CRC but content nobody wrote as corrupt", () => {
    const r = runSweep({
      geometries: [GEOMETRIES[0]!],
      seeds: [1],
      laps: 1,
      sabotage: "forge-record",
    });
    expect(r.corrupt).toBeGreaterThan(0);
  });
});
