// The hardening campaign: `npm run test:hardening`. Runs
//   - serial: scripted misbehaving devices over TCP and a pty (serial.ts), in real time;
//   - fuzz: at least 1,000,000 mutated images through both decoders (fuzz.ts), in two
//     worker processes;
//   - faults: long workloads on failing flash, on every board geometry (faults.ts);
// and ends with one line each:
//   fuzz: <inputs> inputs, <failures> failures
//   serial: <runs> runs, <failures> failures
//   faults: <runs> runs, <hangs> hangs, <lost> lost
// Exit status 1 when any count of failures is not 0. Every run is seeded: HARDENING_SEED=n
// replays a campaign (each failure message names its seed and how to replay that case);
// without it the seed is new each time, and printed.
//   HARDENING_FUZZ=n       fuzz inputs (default 1,000,000)
//   HARDENING_FAULTS=n     fault runs per board (default 25)
//   HARDENING_SERIAL=n     serial seeds (default 3)

import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FaultsResult } from "./faults.js";
import { scalingProbe } from "./fuzz.js";
import type { FuzzResult } from "./fuzz.js";
import { runSerial } from "./serial.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : dflt;
}

function worker<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(HERE, "worker.ts"), ...args],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(
          new Error(`worker ${args.join(" ")} ended with status ${String(code)} and no result`),
        );
      }
    });
  });
}

async function main(): Promise<number> {
  const seed = envInt("HARDENING_SEED", Date.now() % 1_000_000);
  const fuzzInputs = envInt("HARDENING_FUZZ", 1_000_000);
  const faultRuns = envInt("HARDENING_FAULTS", 25);
  const serialSeeds = envInt("HARDENING_SERIAL", 3);
  const t0 = Date.now();
  console.log(
    `hardening campaign, seed ${seed} (replay: HARDENING_SEED=${seed} npm run test:hardening)`,
  );

  // Real-time runs first, alone, so that their timing is not the CPU-bound workers'.
  const serial = await runSerial(Array.from({ length: serialSeeds }, (_, i) => seed * 10 + i));
  console.log(`serial done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  // Linear time, measured alone (no worker running): a 2 MB forged image against a 128 KB one.
  const scaling = scalingProbe();
  const scalingFailure =
    scaling > 8
      ? [
          `seed ${seed}: time per byte of a 2 MB forged image is ${scaling.toFixed(1)}x a 128 KB one (not linear)`,
        ]
      : [];

  const half = Math.ceil(fuzzInputs / 2);
  const [f1, f2, faults] = await Promise.all([
    worker<FuzzResult>(["fuzz", String(seed), String(half), "0"]),
    worker<FuzzResult>(["fuzz", String(seed), String(fuzzInputs - half), String(half)]),
    worker<FaultsResult>(["faults", String(seed), String(faultRuns)]),
  ]);
  const fuzz = {
    inputs: f1.inputs + f2.inputs + 2,
    failures: f1.failures + f2.failures + scalingFailure.length,
    messages: [...scalingFailure, ...f1.messages, ...f2.messages],
  };
  for (const m of fuzz.messages) console.log("fuzz failure: " + m);
  for (const m of serial.messages) console.log("serial failure: " + m);
  for (const m of faults.messages) console.log("faults failure: " + m);
  console.log(
    `campaign took ${((Date.now() - t0) / 1000).toFixed(0)} s; decode time per byte, 2 MB / 128 KB forged image: ${scaling.toFixed(2)}`,
  );
  console.log(`fuzz: ${fuzz.inputs} inputs, ${fuzz.failures} failures`);
  console.log(`serial: ${serial.runs} runs, ${serial.failures} failures`);
  console.log(`faults: ${faults.runs} runs, ${faults.hangs} hangs, ${faults.lost} lost`);
  return fuzz.failures + serial.failures + faults.hangs + faults.lost === 0 ? 0 : 1;
}

main().then(
  (status) => process.exit(status),
  (e: unknown) => {
    console.error(
      "hardening campaign: " + (e instanceof Error ? (e.stack ?? e.message) : String(e)),
    );
    process.exit(1);
  },
);
