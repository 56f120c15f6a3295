// The CI check of the bench's JSON: it fails on a missing key or a malformed figure, never
// on a figure's value.
import { describe, expect, it } from "vitest";
import { BENCH_KEYS, checkBenchJson, lastJsonLine } from "./check-json.js";

function valid(): Record<string, unknown> {
  return {
    panicLatencyRatio: { puckjs: 1.2 },
    mtdoopsPanicLatencyRatio: { puckjs: 4.7 },
    mountHeaderReads: [{ slots: 16, reads: 99, mtdoopsReads: 16 }],
    survival: {
      puckjs: {
        slots: 12,
        firstKeptWheneverPromised: false,
        bootloop: [{ k: 1, kept: 0, mtdoopsKept: 1 }],
        burst: [{ k: 1, kept: 1, mtdoopsKept: 1 }],
      },
    },
    wireBytesPerLogByte: { plain: 3, compressed: 2 },
    retrievalTimeRatio: { serial115200: 9, ble: 9 },
    wearSpread: 7,
    erasesPerRecordRatio: 3,
    crashLoopErasesPerHour: {
      puckjs: { erasesPerHour: 100, enduranceYears: 0.1, mtdoopsErasesPerHour: 90 },
    },
    simOpsPerSecond: 1,
    powerlossScenariosPerSecond: 1,
    device: null,
  };
}

describe("checkBenchJson", () => {
  it("accepts every key present and well formed, whatever the figures", () => {
    expect(checkBenchJson(valid())).toEqual([]);
    expect(
      checkBenchJson({
        ...valid(),
        device: {
          L: 1,
          bootL: 2,
          panicL: 3,
          crashL: 4,
          suppressedL: 5,
          burstLost: 0,
          idleJsVars: 300,
          bundleBytes: 9000,
        },
      }),
    ).toEqual([]);
  });

  it.each(BENCH_KEYS)("names a missing %s", (key) => {
    const v = valid();
    delete v[key];
    expect(checkBenchJson(v)).toContain("missing key " + key);
  });

  it("names malformed figures", () => {
    expect(checkBenchJson({ ...valid(), wearSpread: "1" })).toContain(
      "wearSpread: expected a number",
    );
    expect(checkBenchJson({ ...valid(), wireBytesPerLogByte: { plain: 1 } })).toContain(
      "wireBytesPerLogByte.compressed: expected a number",
    );
    expect(checkBenchJson({ ...valid(), mountHeaderReads: [] })).toContain(
      "mountHeaderReads: expected a non-empty list",
    );
    expect(checkBenchJson({ ...valid(), device: { L: 1 } })).toContain("device: missing key bootL");
    expect(checkBenchJson({ ...valid(), simOpsPerSecond: null })).toContain(
      "simOpsPerSecond: expected a number",
    );
    expect(checkBenchJson([1])).toEqual(["the output is not a JSON object"]);
  });
});

describe("lastJsonLine", () => {
  it("parses the last non-empty line, or says why not", () => {
    expect(lastJsonLine('noise\n{"a":1}\n').value).toEqual({ a: 1 });
    expect(lastJsonLine("").error).toMatch(/nothing/);
    expect(lastJsonLine("{oops\n").error).toMatch(/not JSON/);
  });
});
