// The device figures: the JSON object on the last line of test/bench/device.ts's output,
// null with a reason when there is none (no script, no interpreter, a failure).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/host/repo.js";
import { parseDeviceOutput, runDeviceBench } from "./device-figures.js";

describe("parseDeviceOutput", () => {
  it("takes the object on the last non-empty line", () => {
    expect(parseDeviceOutput('progress\n{"L":1.5,"bootL":30}\n\n').figures).toEqual({
      L: 1.5,
      bootL: 30,
    });
  });

  it("gives null and a reason for null, non-JSON, a non-object and nothing", () => {
    expect(parseDeviceOutput("null\n")).toMatchObject({
      figures: null,
      why: expect.stringMatching(/no Espruino interpreter/),
    });
    expect(parseDeviceOutput("L=3\n")).toMatchObject({
      figures: null,
      why: expect.stringMatching(/not JSON/),
    });
    expect(parseDeviceOutput("[1,2]\n")).toMatchObject({
      figures: null,
      why: expect.stringMatching(/not a JSON object/),
    });
    expect(parseDeviceOutput("")).toMatchObject({
      figures: null,
      why: expect.stringMatching(/nothing/),
    });
  });
});

describe("runDeviceBench", () => {
  const dir = mkdtempSync(join(tmpdir(), "bench-device-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const root = repoRoot();

  it("runs the script with --json and takes its last line", () => {
    const script = join(dir, "ok.ts");
    writeFileSync(
      script,
      'console.log("measuring"); console.log(JSON.stringify({ L: 2, args: process.argv.slice(2) }));\n',
    );
    expect(runDeviceBench(script, root, 60_000).figures).toEqual({ L: 2, args: ["--json"] });
  });

  it("says why when the script is missing or fails", () => {
    expect(runDeviceBench(join(dir, "absent.ts"), root, 60_000)).toMatchObject({
      figures: null,
      why: expect.stringMatching(/does not exist/),
    });
    const bad = join(dir, "bad.ts");
    writeFileSync(bad, 'console.error("no luck"); process.exit(3);\n');
    expect(runDeviceBench(bad, root, 60_000)).toMatchObject({
      figures: null,
      why: expect.stringMatching(/status 3: no luck/),
    });
  });
});
