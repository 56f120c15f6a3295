// The quick bench (what CI runs) produces a JSON object with every key (BENCH_KEYS), well
// formed (test/bench/check-json.ts). Figures are not judged here.
import { describe, expect, it } from "vitest";
import { BENCH_KEYS, checkBenchJson } from "./check-json.js";
import { benchJson, runBench } from "./run.js";

describe("npm run bench -- --quick --json", () => {
  it("has every key, well formed", { timeout: 240_000 }, () => {
    const json = benchJson(runBench({ quick: true, device: false }));
    for (const k of BENCH_KEYS) expect(json).toHaveProperty(k);
    expect(checkBenchJson(JSON.parse(JSON.stringify(json)))).toEqual([]);
    expect(json["device"]).toBeNull();
    const mounts = json["mountHeaderReads"] as { slots: number }[];
    expect(mounts.map((m) => m.slots)).toEqual([16, 32, 64, 128, 256, 512, 1024, 2048, 4096]);
  });
});
