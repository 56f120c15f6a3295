// `npm run bench`: measures the log against the physical limits of each board's flash part
// and link, and against a model of Linux's mtdoops on the same simulated flash.
//
//   npm run bench                    full run; writes BENCHMARKS.md and docs/bench/*.svg
//   npm run bench -- --json          also prints one JSON object (the last stdout line)
//   npm run bench -- --quick --json  the CI run: fewer repetitions, writes no files
//   --no-device                      skips test/bench/device.ts (device: null)
//   --write / --no-write             writes the report in quick mode / not in a full run
//
// Every figure is a ratio or a count taken in this run; only simOpsPerSecond and
// powerlossScenariosPerSecond are absolute (machine speed), and they say so.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadAllBoards } from "../../src/boards/load.js";
import type { BoardDefinition } from "../../src/boards/schema.js";
import { repoRoot } from "../../src/host/repo.js";
import { deviceScript, runDeviceBench } from "./device-figures.js";
import { BLE_20B, SERIAL_115200 } from "./limits.js";
import { measureMountReads } from "./mount-reads.js";
import type { MountReads } from "./mount-reads.js";
import { measureMtdoopsPanic, measureOurPanic } from "./panic-latency.js";
import type { PanicFigures } from "./panic-latency.js";
import { renderReport } from "./report.js";
import { measurePowerloss, measureSimOps } from "./speed.js";
import { measureStorm } from "./survival.js";
import type { StormCurve } from "./survival.js";
import { measureCrashLoop, measureWear } from "./wear.js";
import type { CrashLoopFigures, WearFigures } from "./wear.js";
import { measureWire, retrievalTimeRatio } from "./wire.js";
import type { WireFigures } from "./wire.js";

export interface BenchOptions {
  quick: boolean;
  device: boolean;
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
}

/** Everything measured: the JSON's figures and the detail the report shows. */
export interface BenchDetails {
  mode: "quick" | "full";
  boards: BoardDefinition[];
  panic: Record<
    string,
    { full: PanicFigures; short: PanicFigures; mtdFull: PanicFigures; mtdShort: PanicFigures }
  >;
  mounts: MountReads[];
  storms: Record<string, { bootloop: StormCurve; burst: StormCurve }>;
  wire: WireFigures[];
  retrieval: Record<
    string,
    { serialPlain: number; serialCompressed: number; blePlain: number; bleCompressed: number }
  >;
  wear: Record<string, WearFigures>;
  crashLoop: Record<string, CrashLoopFigures>;
  simOps: number;
  powerloss: { perSecond: number; scenarios: number; lost: number; corrupt: number };
  device: Record<string, unknown> | null;
  deviceWhy: string | undefined;
}

const MOUNT_SLOTS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/** The bench's JSON object (its keys: BENCH_KEYS in check-json.ts) from the measurements. */
export function benchJson(d: BenchDetails): Record<string, unknown> {
  const perBoard = <T>(f: (id: string) => T): Record<string, T> =>
    Object.fromEntries(d.boards.map((b) => [b.id, f(b.id)]));
  const sum = (f: (w: WireFigures) => number): number => d.wire.reduce((s, w) => s + f(w), 0);
  const logBytes = sum((w) => w.logBytes);
  const worst = (f: (r: BenchDetails["retrieval"][string]) => number): number =>
    Math.max(...Object.values(d.retrieval).map(f));
  return {
    mode: d.mode,
    // The worse of the two console scenarios (a full ring; 200 bytes just after boot).
    panicLatencyRatio: perBoard((id) =>
      Math.max(d.panic[id]!.full.ratio, d.panic[id]!.short.ratio),
    ),
    mtdoopsPanicLatencyRatio: perBoard((id) =>
      Math.max(d.panic[id]!.mtdFull.ratio, d.panic[id]!.mtdShort.ratio),
    ),
    mountHeaderReads: d.mounts.map((m) => ({
      slots: m.slots,
      reads: m.reads,
      mtdoopsReads: m.mtdoopsReads,
    })),
    survival: perBoard((id) => {
      const s = d.storms[id]!;
      const pts = (c: StormCurve): unknown[] =>
        c.points.map((p) => ({
          k: p.k,
          kept: p.kept,
          mtdoopsKept: p.mtdoopsKept,
          firstKept: p.firstKept,
          mtdoopsFirstKept: p.mtdoopsFirstKept,
          promised: p.promised,
        }));
      return {
        slots: s.bootloop.slots,
        firstKeptWheneverPromised:
          s.bootloop.firstKeptWheneverPromised && s.burst.firstKeptWheneverPromised,
        bootloop: pts(s.bootloop),
        burst: pts(s.burst),
      };
    }),
    wireBytesPerLogByte: {
      plain: sum((w) => w.plainWireBytes) / logBytes,
      compressed: sum((w) => w.compressedWireBytes) / logBytes,
    },
    // The worst board, of the plain and the compressed retrieval.
    retrievalTimeRatio: {
      serial115200: worst((r) => Math.max(r.serialPlain, r.serialCompressed)),
      ble: worst((r) => Math.max(r.blePlain, r.bleCompressed)),
    },
    wearSpread: Math.max(...Object.values(d.wear).map((w) => w.wearSpread)),
    erasesPerRecordRatio: Math.max(...Object.values(d.wear).map((w) => w.erasesPerRecordRatio)),
    crashLoopErasesPerHour: perBoard((id) => {
      const c = d.crashLoop[id]!;
      return {
        erasesPerHour: c.erasesPerHour,
        enduranceYears: c.enduranceYears,
        enduranceYearsIsLowerBound: c.enduranceYearsIsLowerBound,
        mtdoopsErasesPerHour: c.mtdoopsErasesPerHour,
        mtdoopsEnduranceYears: c.mtdoopsEnduranceYears,
      };
    }),
    simOpsPerSecond: d.simOps,
    powerlossScenariosPerSecond: d.powerloss.perSecond,
    device: d.device,
  };
}

/** Runs every measurement. */
export function runBench(o: BenchOptions): BenchDetails {
  const say = o.progress ?? ((): void => undefined);
  const q = o.quick;
  const boards = loadAllBoards();
  const slotsOf = (b: BoardDefinition): number => b.size / b.recordSize;
  const d: BenchDetails = {
    mode: q ? "quick" : "full",
    boards,
    panic: {},
    mounts: [],
    storms: {},
    wire: [],
    retrieval: {},
    wear: {},
    crashLoop: {},
    simOps: 0,
    powerloss: { perSecond: 0, scenarios: 0, lost: 0, corrupt: 0 },
    device: null,
    deviceWhy: undefined,
  };
  say("panic latency");
  for (const b of boards) {
    const n = (q ? 2 : 6) * slotsOf(b);
    d.panic[b.id] = {
      full: measureOurPanic(b, "full", n),
      short: measureOurPanic(b, "short", n),
      mtdFull: measureMtdoopsPanic(b, "full", n),
      mtdShort: measureMtdoopsPanic(b, "short", n),
    };
  }
  say("mount header reads");
  for (const s of MOUNT_SLOTS) d.mounts.push(measureMountReads(s, q ? 3 : 9));
  say("survival under crash storms");
  for (const b of boards) {
    const k = 4 * slotsOf(b);
    d.storms[b.id] = {
      bootloop: measureStorm(b, "bootloop", k),
      burst: measureStorm(b, "burst", k),
    };
  }
  say("wire bytes and retrieval time");
  for (const b of boards) {
    const w = measureWire(b, 1);
    d.wire.push(w);
    d.retrieval[b.id] = {
      serialPlain: retrievalTimeRatio(SERIAL_115200, w.plainCommandBytes, w.plainChunks),
      serialCompressed: retrievalTimeRatio(
        SERIAL_115200,
        w.compressedCommandBytes,
        w.compressedChunks,
      ),
      blePlain: retrievalTimeRatio(BLE_20B, w.plainCommandBytes, w.plainChunks),
      bleCompressed: retrievalTimeRatio(BLE_20B, w.compressedCommandBytes, w.compressedChunks),
    };
  }
  say("wear and crash loops");
  for (const b of boards) {
    d.wear[b.id] = measureWear(b, 10_000);
    d.crashLoop[b.id] = measureCrashLoop(b, q ? 12 : 48);
  }
  say("simulator speed");
  d.simOps = measureSimOps(q ? 300 : 2000);
  d.powerloss = measurePowerloss(q ? [1] : [1, 2, 3]);
  if (o.device) {
    say("device figures (test/bench/device.ts)");
    const root = repoRoot();
    const r = runDeviceBench(deviceScript(root), root, q ? 120_000 : 900_000, q);
    d.device = r.figures;
    d.deviceWhy = r.why;
  } else {
    d.deviceWhy = "skipped (--no-device)";
  }
  return d;
}

function main(): void {
  const args = process.argv.slice(2);
  const known = new Set(["--quick", "--json", "--no-device", "--write", "--no-write"]);
  const bad = args.filter((a) => !known.has(a));
  if (bad.length > 0) {
    console.error(
      "bench: unknown option " + bad.join(" ") + " (known: " + [...known].join(" ") + ")",
    );
    process.exitCode = 2;
    return;
  }
  const quick = args.includes("--quick");
  const json = args.includes("--json");
  const write = quick ? args.includes("--write") : !args.includes("--no-write");
  const t0 = Date.now();
  const d = runBench({
    quick,
    device: !args.includes("--no-device"),
    progress: (l) => console.error("bench: " + l),
  });
  if (d.device === null) console.error("bench: device: null: " + (d.deviceWhy ?? "no figures"));
  const result = benchJson(d);
  if (write) {
    const root = repoRoot();
    const report = renderReport(d, result);
    mkdirSync(join(root, "docs", "bench"), { recursive: true });
    for (const [name, svg] of Object.entries(report.svgs))
      writeFileSync(join(root, "docs", "bench", name), svg);
    writeFileSync(join(root, "BENCHMARKS.md"), report.markdown);
    console.error("bench: wrote BENCHMARKS.md and docs/bench/*.svg");
  }
  console.error("bench: done in " + ((Date.now() - t0) / 1000).toFixed(1) + " s (" + d.mode + ")");
  if (json) console.log(JSON.stringify(result));
  else console.log(renderSummary(result));
}

/** A few lines for a human at the terminal. */
function renderSummary(r: Record<string, unknown>): string {
  return Object.entries(r)
    .filter(([k]) => k !== "survival" && k !== "mountHeaderReads")
    .map(([k, v]) => k + ": " + JSON.stringify(v))
    .join("\n");
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href) {
  try {
    main();
  } catch (e) {
    console.error("bench: " + (e instanceof Error ? e.message : String(e)));
    process.exitCode = 1;
  }
}
