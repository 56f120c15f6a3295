// Checks the shape of `npm run bench -- --json` output: every key there, each of the right
// type. It fails on a malformed object or a missing key, never on a figure that drifted.
// Usage: node --import tsx test/bench/check-json.ts FILE  (the bench's stdout; its last line
// is the object). Host-only; bench code.

import { readFileSync } from "node:fs";

/** The keys of the bench's JSON object. */
export const BENCH_KEYS = [
  "panicLatencyRatio",
  "mtdoopsPanicLatencyRatio",
  "mountHeaderReads",
  "survival",
  "wireBytesPerLogByte",
  "retrievalTimeRatio",
  "wearSpread",
  "erasesPerRecordRatio",
  "crashLoopErasesPerHour",
  "simOpsPerSecond",
  "powerlossScenariosPerSecond",
  "device",
] as const;

const DEVICE_KEYS = [
  "L",
  "bootL",
  "panicL",
  "crashL",
  "suppressedL",
  "burstLost",
  "idleJsVars",
  "bundleBytes",
];

type Problems = string[];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

function perBoardNumbers(v: unknown, key: string, p: Problems): void {
  if (!isObject(v) || Object.keys(v).length === 0)
    return void p.push(key + ": expected an object of board -> number");
  for (const [b, x] of Object.entries(v))
    if (!isNumber(x)) p.push(key + "." + b + ": expected a number");
}

function numbersIn(v: unknown, key: string, fields: string[], p: Problems): void {
  if (!isObject(v)) return void p.push(key + ": expected an object");
  for (const f of fields) if (!isNumber(v[f])) p.push(key + "." + f + ": expected a number");
}

/** What is wrong with `v` as the bench's JSON object; empty when nothing is. */
export function checkBenchJson(v: unknown): Problems {
  const p: Problems = [];
  if (!isObject(v)) return ["the output is not a JSON object"];
  for (const k of BENCH_KEYS) if (!(k in v)) p.push("missing key " + k);
  if (p.length > 0) return p;
  perBoardNumbers(v["panicLatencyRatio"], "panicLatencyRatio", p);
  perBoardNumbers(v["mtdoopsPanicLatencyRatio"], "mtdoopsPanicLatencyRatio", p);
  const mounts = v["mountHeaderReads"];
  if (!Array.isArray(mounts) || mounts.length === 0)
    p.push("mountHeaderReads: expected a non-empty list");
  else
    mounts.forEach((m, i) =>
      numbersIn(m, "mountHeaderReads[" + i + "]", ["slots", "reads", "mtdoopsReads"], p),
    );
  const survival = v["survival"];
  if (!isObject(survival) || Object.keys(survival).length === 0)
    p.push("survival: expected an object of board -> storms");
  else {
    for (const [b, s] of Object.entries(survival)) {
      if (!isObject(s)) {
        p.push("survival." + b + ": expected an object");
        continue;
      }
      if (typeof s["firstKeptWheneverPromised"] !== "boolean")
        p.push("survival." + b + ".firstKeptWheneverPromised: expected a boolean");
      for (const kind of ["bootloop", "burst"]) {
        const pts = s[kind];
        if (!Array.isArray(pts) || pts.length === 0)
          p.push("survival." + b + "." + kind + ": expected a non-empty list");
        else
          pts.forEach((pt, i) =>
            numbersIn(
              pt,
              "survival." + b + "." + kind + "[" + i + "]",
              ["k", "kept", "mtdoopsKept"],
              p,
            ),
          );
      }
    }
  }
  numbersIn(v["wireBytesPerLogByte"], "wireBytesPerLogByte", ["plain", "compressed"], p);
  numbersIn(v["retrievalTimeRatio"], "retrievalTimeRatio", ["serial115200", "ble"], p);
  if (!isNumber(v["wearSpread"])) p.push("wearSpread: expected a number");
  if (!isNumber(v["erasesPerRecordRatio"])) p.push("erasesPerRecordRatio: expected a number");
  const loop = v["crashLoopErasesPerHour"];
  if (!isObject(loop) || Object.keys(loop).length === 0)
    p.push("crashLoopErasesPerHour: expected an object of board -> figures");
  else
    for (const [b, x] of Object.entries(loop))
      numbersIn(
        x,
        "crashLoopErasesPerHour." + b,
        ["erasesPerHour", "enduranceYears", "mtdoopsErasesPerHour"],
        p,
      );
  if (!isNumber(v["simOpsPerSecond"])) p.push("simOpsPerSecond: expected a number");
  if (!isNumber(v["powerlossScenariosPerSecond"]))
    p.push("powerlossScenariosPerSecond: expected a number");
  const device = v["device"];
  if (device !== null) {
    if (!isObject(device)) p.push("device: expected an object or null");
    else for (const k of DEVICE_KEYS) if (!(k in device)) p.push("device: missing key " + k);
  }
  return p;
}

/** The JSON object on the last non-empty line of `text`, or the reason there is none. */
export function lastJsonLine(text: string): { value?: unknown; error?: string } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const last = lines[lines.length - 1];
  if (last === undefined) return { error: "the bench printed nothing" };
  try {
    return { value: JSON.parse(last) as unknown };
  } catch (e) {
    return { error: "the last line is not JSON (" + (e as Error).message + ")" };
  }
}

function main(): void {
  const file = process.argv[2];
  if (!file) {
    console.error(
      "usage: node --import tsx test/bench/check-json.ts FILE (the output of npm run bench -- --json)",
    );
    process.exitCode = 2;
    return;
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    console.error("check-json: cannot read " + file + ": " + (e as Error).message);
    process.exitCode = 2;
    return;
  }
  const parsed = lastJsonLine(text);
  const problems = parsed.error !== undefined ? [parsed.error] : checkBenchJson(parsed.value);
  if (problems.length > 0) {
    console.error(
      "check-json: " + file + " is not a valid bench result:\n  " + problems.join("\n  "),
    );
    process.exitCode = 1;
    return;
  }
  console.log("check-json: " + file + ": every key present");
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href) main();
