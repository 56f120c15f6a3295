// The device-cost scenarios on the real Espruino interpreter (Linux builds), each run with
// and without the logger in the same run, every time a ratio to L (the time of
// `for(var i=0;i<1000;i++);` in the same process: a PC runs JavaScript 25-40x faster than
// a 64 MHz board, so milliseconds here mislead). Used by `npm run bench:device`
// (test/bench/device.ts) and asserted by the interpreter tier (test/espruino/*.test.ts).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBoard, storageFiles } from "../../scripts/build-firmware.js";
import { loadBoard } from "../../src/boards/load.js";
import { FirmwareFile } from "../../src/boards/firmware-files.js";
import { crc32 } from "../../src/core/crc32.js";
import { Espruino } from "../espruino/espruino-process.js";

/** The firmware files `mtdoops flash` installs on the Linux board, from the one build that ships. */
export async function linuxFirmware(): Promise<Record<string, string>> {
  return storageFiles(await buildBoard(loadBoard("linux"), { write: false }));
}

/** A fresh folder for an interpreter's fake flash; removed by the returned function. */
export function scratch(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "mtdoops-device-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts an interpreter in `dir` with `files` installed and restarts it, so that .boot0 runs at boot. */
export async function bootWith(
  bin: string,
  dir: string,
  files: Record<string, string>,
): Promise<Espruino> {
  const e = await Espruino.start(bin, dir);
  try {
    await e.writeFiles(files, crc32);
  } finally {
    await e.kill();
  }
  return Espruino.start(bin, dir);
}

/** Median of a list. */
export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Fills the console ring: `n` lines printed by the app. */
export async function fillConsole(e: Espruino, n: number): Promise<void> {
  await e.run(
    "for(var i=0;i<" + n + ";i++)console.log('app line '+i+' with some text to fill the ring')",
  );
}

/**
 * Boot overhead in L: the time to evaluate .boot0 (what the interpreter does at boot),
 * measured in-process. The file is installed under another name so that the interpreter
 * does not run it at its own start; `formatted`: the log was formatted by an earlier boot.
 */
export async function bootCost(e: Espruino, L: number, boot0: string): Promise<number> {
  const ms = Number(
    await e.query(
      "(function(){var c=require('Storage').read(" +
        JSON.stringify(boot0) +
        ");var t=getTime();eval(c);return (getTime()-t)*1000;})()",
    ),
  );
  return ms / L;
}

/** Time of a statement in L, measured in-process (best of `n`). */
export async function timeL(e: Espruino, L: number, code: string, n = 1): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const ms = Number(
      await e.query("(function(){var t=getTime();" + code + ";return (getTime()-t)*1000;})()"),
    );
    best = Math.min(best, ms);
  }
  return best / L;
}

/**
 * Code that calls process's uncaught-exception handlers with the value of `error`, each in
 * turn as jsiCheckErrors calls them (src/jsinteractive.c), the exception each may throw
 * back caught.
 */
export function uncaughtHandlersCall(error: string): string {
  return (
    "(function(h,x){for(var i=0;h&&i<h.length;i++)try{h[i](x)}catch(y){}})(process['#onuncaughtException']," +
    error +
    ")"
  );
}

/**
 * CPU the uncaught-exception handlers add to one uncaught exception, in L: from the call of
 * the handlers (as jsiCheckErrors calls them) until the jobs they queued (a record's
 * deferred write) have run. The handlers are called directly, each in turn as the
 * interpreter does, so that the end can be marked: a zero-delay timer queued after they
 * return fires after the jobs they queued. What the interpreter does after them, the
 * "Uncaught ..." report (the logger hands the exception back to it: firmware/api.ts), is
 * the same with and without the logger and is not timed. Without any handler this times
 * the scaffolding alone, the baseline the figures are taken against. The clock starts in a
 * timer: started on the REPL line, it also timed the line's print, which the logger's
 * capture records (about 0.5 L, counted as crash cost until this was found).
 */
export async function crashCost(e: Espruino, L: number, prelude = ""): Promise<number> {
  // From a timer, so that the REPL's own work on this line (the query's print, which the
  // logger's capture records) is done before the clock starts. `prelude` runs on the
  // clock, just before the handlers: what a crash would have to do first in a design
  // measured against the firmware's (bench:ram's write path made on demand).
  await e.run(
    "global.__c=-1;global.__x=new Error('bench crash');setTimeout(function(){global.__t=getTime();" +
      prelude +
      uncaughtHandlersCall("__x") +
      ";setTimeout(function(){__c=(getTime()-__t)*1000;},0)},0)",
  );
  for (let i = 0; i < 200; i++) {
    const v = Number(await e.query("__c"));
    if (v >= 0) return v / L;
  }
  throw new Error("the crash's jobs did not finish");
}

/**
 * crashCost() of a crash that the logger must record: the figures of `what` are refused
 * (thrown) when it was not, as a refused crash (the per-boot cap, the crash-loop guard)
 * costs far less and would pass for a cheap one.
 */
export async function recordedCrashCost(
  e: Espruino,
  L: number,
  what: string,
  prelude = "",
): Promise<number> {
  const before = Number(await e.query("mtdoops.stats().written"));
  const l = await crashCost(e, L, prelude);
  if (Number(await e.query("mtdoops.stats().written")) !== before + 1)
    throw new Error("a timed crash was not recorded: " + what + " are refused");
  return l;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Lines of a synchronous burst of `n` console.log lines that reach the terminal. */
export async function burstReceived(e: Espruino, n: number, width = 50): Promise<number> {
  const tag = "B" + Math.floor(Math.random() * 1e6);
  e.since();
  e.send(
    "\x10for(var i=0;i<" +
      n +
      ";i++)console.log('" +
      tag +
      " '+i+' " +
      "x".repeat(width) +
      "');print('" +
      tag +
      "-done')\n",
  );
  const text = await e.waitFor(tag + "-done", 20_000);
  return (text.match(new RegExp(tag + " \\d+ x+", "g")) ?? []).length;
}

/** True when one print of `bytes` characters arrives whole. */
export async function longPrintArrives(e: Espruino, bytes: number): Promise<boolean> {
  e.since();
  e.send("\x10print('<L>'+new Array(" + (bytes + 1) + ").join('y')+'</L>')\n");
  const text = await e.waitFor("</L>", 20_000);
  const m = /<L>(y*)<\/L>/.exec(text);
  return !!m && (m[1] as string).length === bytes;
}

/** JsVars in use now (after a GC). */
export async function usage(e: Espruino): Promise<number> {
  return Number(await e.query("process.memory().usage"));
}

export const BOOT_FILE = FirmwareFile.Boot;
