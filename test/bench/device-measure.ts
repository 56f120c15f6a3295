// The device figures (npm run bench:device, the interpreter tier): every scenario of
// docs/FOOTPRINT.md, with and without the logger, in one run.

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadBoard } from "../../src/boards/load.js";
import { FirmwareFile } from "../../src/boards/firmware-files.js";
import { crc32 } from "../../src/core/crc32.js";
import {
  againOnInputRace,
  Espruino,
  InputRaceError,
  isInputRace,
} from "../espruino/espruino-process.js";
import {
  bootCost,
  burstReceived,
  crashCost,
  fillConsole,
  linuxFirmware,
  longPrintArrives,
  median,
  scratch,
  timeL,
  usage,
} from "./device-scenarios.js";

/** The old capture's marker bytes (NUL, SO, SI): none may reach the terminal. */
const CONTROL = new RegExp(String.fromCharCode(91, 0, 14, 15, 93), "g");

/** The Linux build's fake flash, in the interpreter's working folder. */
const FLASH_FILE = "espruino.flash";

/** Storage name the benchmark keeps .boot0's code under, so that the interpreter does not run it at start. */
const BOOT_COPY = "mtdboot0";
/** Burst sizes (lines) and single-print sizes (bytes) the console must pass whole. */
export const BURSTS = [10, 25, 60, 150, 500];
export const LONG_PRINTS = [1024, 4096, 8192];
/** Free JsVars the app leaves on the 2630-JsVar build before it crashes. */
export const LOWMEM_FREE = [800, 700, 350, 200, 100];

export interface LowMemRun {
  free: number;
  how: "panic" | "uncaught";
  /** The REPL answered after the crash, and again after the app freed its memory. */
  survived: boolean;
  /** A record was written (or the loss counted, below 200 free). */
  recorded: boolean;
  lost: number;
}

export interface DeviceFigures {
  /** ms of `for(var i=0;i<1000;i++);` on this machine (stock build). */
  L: number;
  /** Boot overhead, log formatted: the larger of empty and full. */
  bootL: number;
  bootEmptyL: number;
  bootFullL: number;
  /** The first boot after install, which formats the partition. */
  firstBootL: number;
  /** mtdoops.panic() with a full console ring, until the record is committed. */
  panicL: number;
  /** CPU of a recorded uncaught exception (its deferred write included), above the same without the logger (the interpreter's own report). */
  crashL: number;
  /** CPU of an uncaught exception past the per-boot cap, above the same without the logger. */
  suppressedL: number;
  /** The raw timings behind crashL and suppressedL: with the logger, and the baseline without it. */
  crashWithL: number;
  suppressedWithL: number;
  crashBaselineL: number;
  /** CPU of one console.log line, above the same without the logger (the capture). */
  lineL: number;
  /** Lines lost from synchronous bursts (BURSTS) and single prints (LONG_PRINTS) that arrive whole without the logger. */
  burstLost: number;
  /** `mtdoops.list();print("x")` on one line: "x" and "=undefined" arrive. */
  sameLineOutput: boolean;
  /** Bytes 0x00, 0x0e or 0x0f (the old capture's markers) seen on the terminal. */
  controlBytes: number;
  /** REPL answer time with a crash every 10 ms, as a ratio to the same without the logger. */
  replUnderCrashesRatio: number;
  /** JsVars the logger holds after boot beyond its ring buffer. */
  idleJsVars: number;
  lowmem: LowMemRun[];
  lowmemSurvived: number;
  lowmemRuns: number;
  /** Bytes of each installed file, and in all. */
  files: Record<string, number>;
  bundleBytes: number;
}

/**
 * Runs `f` on a fresh interpreter in `dir`. Again (INPUT_RACE_TRIES in all, through
 * againOnInputRace) when the interpreter itself failed an assertion and exited (the Linux
 * build's IO buffer, src/jsdevices.c: a fault of the interpreter's terminal input, not of
 * the logger), which the retry reports on stderr. `beforeRetry` runs before each retry's
 * interpreter starts.
 */
async function withProcess<T>(
  bin: string,
  dir: string,
  f: (e: Espruino) => Promise<T>,
  beforeRetry?: () => void,
): Promise<T> {
  let asserted = false;
  return againOnInputRace(
    "bench:device",
    "running that step again",
    async (attempt) => {
      asserted = false;
      if (attempt > 1 && beforeRetry) beforeRetry();
      const e = await Espruino.start(bin, dir);
      try {
        return await f(e);
      } catch (x) {
        asserted = isInputRace(x) || e.raced || (e.exited && /ASSERT\(/.test(e.out));
        throw x;
      } finally {
        await e.kill();
      }
    },
    () => asserted,
  );
}

/**
 * Installs the modules under their names and .boot0's code under BOOT_COPY (or as .boot0
 * when `asBoot`), the boot file last: an install the interpreter's input race cut short
 * leaves no .boot0 that would start a logger over missing modules at the retry.
 */
async function install(e: Espruino, files: Record<string, string>, asBoot: boolean): Promise<void> {
  const o: Record<string, string> = {};
  for (const [k, v] of Object.entries(files)) if (k !== FirmwareFile.Boot) o[k] = v;
  o[asBoot ? FirmwareFile.Boot : BOOT_COPY] = files[FirmwareFile.Boot] ?? "";
  await e.writeFiles(o, crc32);
}

/**
 * The least of 3 panics, in L, the console ring full: a panic is synchronous, so the
 * machine's noise only adds to it. Writes 3 records.
 */
async function leastPanic(e: Espruino, L: number): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 3; i++)
    least = Math.min(least, await timeL(e, L, "mtdoops.panic('bench panic " + i + "')"));
  return least;
}

/** Round-trip time of a trivial query, median of `n`, in ms. */
async function replMs(e: Espruino, n: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await e.query("6*7");
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(xs);
}

async function burstsLost(e: Espruino, reference: number[], longRef: boolean[]): Promise<number> {
  let lost = 0;
  for (let i = 0; i < BURSTS.length; i++)
    lost += Math.max(0, (reference[i] ?? 0) - (await burstReceived(e, BURSTS[i] as number)));
  for (let i = 0; i < LONG_PRINTS.length; i++)
    if (longRef[i] && !(await longPrintArrives(e, LONG_PRINTS[i] as number))) lost++;
  return lost;
}

/**
 * The figures on one line, as npm run bench:device and the device-cost tier print them:
 *   device: L=<ms>ms boot=<x>L (first <f>L) panic=<y>L crash=<z>L suppressed=<w>L burstLost=<n>
 *   lowmemSurvived=<k>/<m> idleJsVars=<j> replUnderCrashes=<r>x line=<l>L
 */
export function deviceSummary(d: DeviceFigures): string {
  return (
    "device: L=" +
    d.L.toFixed(3) +
    "ms boot=" +
    d.bootL.toFixed(2) +
    "L (first " +
    d.firstBootL.toFixed(0) +
    "L) panic=" +
    d.panicL.toFixed(2) +
    "L crash=" +
    d.crashL.toFixed(2) +
    "L suppressed=" +
    d.suppressedL.toFixed(3) +
    "L burstLost=" +
    d.burstLost +
    " lowmemSurvived=" +
    d.lowmemSurvived +
    "/" +
    d.lowmemRuns +
    " idleJsVars=" +
    d.idleJsVars +
    " replUnderCrashes=" +
    d.replUnderCrashesRatio.toFixed(2) +
    "x line=" +
    d.lineL.toFixed(2) +
    "L"
  );
}

export async function measureDevice(
  stock: string,
  small: string | undefined,
  repeats = 3,
): Promise<DeviceFigures> {
  const board = loadBoard("linux");
  const files = await linuxFirmware();
  const s = scratch();
  try {
    // 1. Without the logger: L, the console's own capacity, the REPL's answer time under crashes, a crash's cost.
    const base = await withProcess(stock, s.dir, async (e) => {
      const L = await e.measureL();
      const bursts: number[] = [];
      for (const n of BURSTS) bursts.push(await burstReceived(e, n));
      const longs: boolean[] = [];
      for (const n of LONG_PRINTS) longs.push(await longPrintArrives(e, n));
      const crash = await bestCrashCost(e, L, 11);
      const line = await timeL(e, L, LINE, 7);
      const quiet = await replMs(e, 9);
      await e.run("global.__iv=setInterval(function(){throw new Error('every 10 ms')},10)");
      const busy = await replMs(e, 9);
      await e.run("clearInterval(__iv)");
      const u0 = await usage(e);
      const ring = Number(await e.query("E.getSizeOf(new Uint8Array(" + board.ringSize + "))"));
      return { L, bursts, longs, crash, line, quiet, busy, u0, ring };
    });

    // 2. The first boot after install (formats), then a formatted empty log, then a full one.
    let firstBootL = 0;
    let idleJsVars = 0;
    await withProcess(stock, s.dir, async (e) => {
      await install(e, files, false);
    });
    firstBootL = await withProcess(stock, s.dir, async (e) => {
      const L = await e.measureL();
      return bootCost(e, L, BOOT_COPY);
    });
    const bootEmpty: number[] = [];
    for (let i = 0; i < repeats; i++)
      bootEmpty.push(
        await withProcess(stock, s.dir, async (e) => {
          const L = await e.measureL();
          const u0 = await usage(e);
          const b = await bootCost(e, L, BOOT_COPY);
          idleJsVars = (await usage(e)) - u0 - base.ring;
          return b;
        }),
      );
    // Fill the log (every slot) over a few boots, then time a boot over it.
    await withProcess(stock, s.dir, async (e) => {
      await bootCost(e, 1, BOOT_COPY);
      const slots = Number(await e.query("mtdoops.stats().slots"));
      for (let i = 0; i < slots + 2; i++) await e.run("mtdoops.panic('fill " + i + "')");
    });
    const bootFull: number[] = [];
    for (let i = 0; i < repeats; i++)
      bootFull.push(
        await withProcess(stock, s.dir, async (e) => {
          const L = await e.measureL();
          return bootCost(e, L, BOOT_COPY);
        }),
      );

    // 3. With the logger as users install it (.boot0 at boot): panic, crash, suppressed, console, REPL.
    const w = scratch();
    let installed: Buffer = Buffer.alloc(0);
    let live: {
      L: number;
      panic: number;
      crash: number;
      crashWith: number;
      supWith: number;
      line: number;
      lost: number;
      sameLine: boolean;
      control: number;
      busy: number;
      quiet: number;
    };
    try {
      // Installed once, as users install it; every later scenario starts from a copy of
      // that fake flash (the interpreter's input can fail under long typed lines, so the
      // upload is done as few times as possible).
      // A retry starts from an empty flash: a logger booted from the cut install would run
      // while its own files are written again under it.
      await withProcess(
        stock,
        w.dir,
        async (e) => install(e, files, true),
        () => rmSync(join(w.dir, FLASH_FILE), { force: true }),
      );
      installed = readFileSync(join(w.dir, FLASH_FILE));
      // A retry starts from the install again, not from what the failed try wrote.
      live = await withProcess(
        stock,
        w.dir,
        async (e) => {
          const L = await e.measureL();
          await fillConsole(e, 100);
          const panic = await leastPanic(e, L);
          // 3 panics and 5 crashes: 8 records, the linux board's per-boot cap
          // (log-core.ts maxRecordsPerBoot), so every crash here is recorded...
          const crashWith = await bestCrashCost(e, L, 5);
          // ...and every further one is suppressed.
          for (let i = 0; i < 3; i++) await crashCost(e, L);
          const supWith = await bestCrashCost(e, L, 11);
          const line = await timeL(e, L, LINE, 7);
          const lost = await burstsLost(e, base.bursts, base.longs);
          e.since();
          e.send("mtdoops.list();print('same-line-x')\n");
          const after = await e.waitFor(/same-line-x\r\n=undefined/, 5000).then(
            () => true,
            () => false,
          );
          const quiet = await replMs(e, 9);
          await e.run("global.__iv=setInterval(function(){throw new Error('every 10 ms')},10)");
          const busy = await replMs(e, 9);
          await e.run("clearInterval(__iv)");
          const control = (e.out.match(CONTROL) ?? []).length;
          return {
            L,
            panic,
            crashWith,
            supWith,
            crash: crashWith - base.crash,
            line,
            lost,
            sameLine: after,
            control,
            busy,
            quiet,
          };
        },
        () => writeFileSync(join(w.dir, FLASH_FILE), installed),
      );
    } finally {
      w.done();
    }
    // The panic, and the crash past the cap, again in `repeats - 1` more processes, each
    // booting the same install: the cost of a flash read moves from one interpreter
    // process to the next (docs/FOOTPRINT.md), and both are mostly reads, so each figure
    // is the least over the processes, as it is the least of its tries within each.
    let panicL = live.panic;
    let supWith = live.supWith;
    for (let r = 1; r < repeats; r++) {
      const p = scratch();
      try {
        writeFileSync(join(p.dir, FLASH_FILE), installed);
        const again = await withProcess(stock, p.dir, async (e) => {
          const L = await e.measureL();
          await fillConsole(e, 100);
          const panic = await leastPanic(e, L);
          // 5 more records: 8, the per-boot cap, so that every crash after is suppressed.
          for (let i = 0; i < 5; i++) await e.run("mtdoops.panic('cap " + i + "')");
          const written = Number(await e.query("mtdoops.stats().written"));
          if (written < 8)
            throw new Error("the per-boot cap was not reached: " + written + " written");
          return { panic, sup: await bestCrashCost(e, L, 11) };
        });
        panicL = Math.min(panicL, again.panic);
        supWith = Math.min(supWith, again.sup);
      } finally {
        p.done();
      }
    }

    // 4. Memory pressure on the 2630-JsVar build.
    const lowmem: LowMemRun[] = [];
    if (small) {
      for (const free of LOWMEM_FREE) {
        for (const how of ["panic", "uncaught"] as const) {
          const m = scratch();
          try {
            writeFileSync(join(m.dir, FLASH_FILE), installed);
            lowmem.push(await withProcess(small, m.dir, async (e) => lowMemCrash(e, free, how)));
          } finally {
            m.done();
          }
        }
      }
    }

    const sizes: Record<string, number> = {};
    let total = 0;
    for (const [k, v] of Object.entries(files)) {
      sizes[k] = v.length;
      total += v.length;
    }
    const bootEmptyL = median(bootEmpty);
    const bootFullL = median(bootFull);
    return {
      L: base.L,
      bootL: Math.max(bootEmptyL, bootFullL),
      bootEmptyL,
      bootFullL,
      firstBootL,
      panicL,
      crashL: Math.max(0, live.crash),
      suppressedL: Math.max(0, supWith - base.crash),
      crashWithL: live.crashWith,
      suppressedWithL: supWith,
      crashBaselineL: base.crash,
      lineL: Math.max(0, live.line - base.line),
      burstLost: live.lost,
      sameLineOutput: live.sameLine,
      controlBytes: live.control,
      replUnderCrashesRatio: live.busy / Math.max(base.busy, 1e-6),
      idleJsVars,
      lowmem,
      lowmemSurvived: lowmem.filter((r) => r.survived && r.recorded).length,
      lowmemRuns: lowmem.length,
      files: sizes,
      bundleBytes: total,
    };
  } finally {
    s.done();
  }
}

/**
 * The app takes all but `free` JsVars, then crashes (`how`); the REPL must answer, and
 * again once the app lets its memory go; the crash must be recorded, or (below 200 free)
 * counted lost.
 */
export async function lowMemCrash(
  e: Espruino,
  free: number,
  how: "panic" | "uncaught",
): Promise<LowMemRun> {
  // Counted before the app takes the memory: stats() loads the retrieval module.
  const before = Number(await e.query("mtdoops.stats().written"));
  await e.run(
    "global.__hog=[];while(process.memory().free>" +
      (free + 40) +
      ")__hog.push(new Array(24).join('h'));" +
      "while(process.memory().free>" +
      free +
      ")__hog.push(1);",
    30_000,
  );
  e.since();
  if (how === "panic") e.send("\x10mtdoops.panic('low memory panic')\n");
  else e.send("\x10setTimeout(function(){throw new Error('low memory crash')},1)\n");
  await new Promise((r) => setTimeout(r, 400));
  let survived = await e.query("6*7", 10_000).then(
    (x) => x === "42",
    () => false,
  );
  await e.run("__hog=undefined", 10_000).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 1500));
  const after = await e
    .query("mtdoops.stats().written+','+mtdoops.stats().lost", 10_000)
    .catch(() => "");
  survived = survived && after !== "";
  // The interpreter's own assertion (its stdin thread racing its main loop, INPUT_RACE in
  // espruino-process.ts) is not the logger's failure: thrown, so that withProcess() runs
  // the scenario again.
  if (e.raced || (e.exited && /ASSERT\(/.test(e.out)))
    throw new InputRaceError("the interpreter failed an assertion or ran input twice");
  const [written, lost] = after.split(",").map(Number) as [number, number];
  return {
    free,
    how,
    survived,
    recorded: written > before || (free < 200 && lost > 0),
    lost: lost || 0,
  };
}

/** One console line, as an app prints it (timed best of 7: timeL). */
const LINE = "console.log('sensor 3: 21.5 C, battery 87 %')";

/**
 * The least of `n` crash costs (crashCost): the machine's noise only adds to them.
 */
async function bestCrashCost(e: Espruino, L: number, n: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) best = Math.min(best, await crashCost(e, L));
  return best;
}
