// npm run bench:flash-reads [-- --json]: where the logger's boot time goes on the Linux
// build, counted in flash reads. That build emulates Storage that is not memory-mapped
// (boards/LINUX.py defines SPIFLASH_BASE, "for testing flash strings"), as Bangle.js 2's
// SPI flash is: code run from a Storage file is read from flash 16 bytes at a time each
// time it is lexed (src/jsvariterator.h, ESPR_JSVAR_FLASH_BUFFER_SIZE), and each read is
// a fopen/fseek/fread/fclose of the fake flash file (targets/linux/jshardware.c
// jshFlashRead). Counting those opens (strace) splits the boot into what must be read
// from flash and what is computation, which docs/FOOTPRINT.md uses to say what the boot
// goal costs on boards whose Storage is memory-mapped (nRF52, STM32), where reads are free.
//
// Each figure is the reads of one query minus those of an empty query in the same state
// (the answer's own print). Needs strace and ESPRUINO_BIN; without either it says so and
// exits 1 (with --json it prints `null` and exits 0).

import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { definitionsOnly, loaderStartOf } from "../../scripts/slice-resident.js";
import { FirmwareFile } from "../../src/boards/firmware-files.js";
import { crc32 } from "../../src/core/crc32.js";
import {
  againOnInputRace,
  Espruino,
  INPUT_RACE,
  InputRaceError,
  interpreters,
} from "../espruino/espruino-process.js";
import {
  fillConsole,
  linuxFirmware,
  median,
  recordedCrashCost,
  scratch,
  sleep,
  uncaughtHandlersCall,
  usage,
} from "./device-scenarios.js";
import { nothingMeasured, runScript, scriptFlags } from "./script-cli.js";

export interface FlashReads {
  /** Evaluating .boot0 over a formatted empty log, as the boot does (bench:device's boot). */
  boot: number;
  /** The first boot after install, which creates and checks the block files. */
  firstBoot: number;
  /** The loader alone up to the functions it makes (the entry call left out): making the resident functions only. */
  definitions: number;
  /** Copying the mount module into RAM (modules.ts runModule()). */
  mountCopy: number;
  /** One console.log line with the logger running (the capture's code, lexed per call). */
  line: number;
  /** One mtdoops.panic() with the logger running. */
  panic: number;
  /**
   * One recorded uncaught exception with its deferred write, the console ring full (as
   * bench:device's crash): what the crash path's code costs in reads, apart from the
   * record's own read-back (a KB of slot, about 64 reads).
   */
  crash: number;
  /** One uncaught exception past the per-boot cap, with its jobs. */
  suppressed: number;
  /** The time of one read, in L: E.CRC32 of a Storage string, less the same on a RAM copy, per 16 bytes. */
  readL: number;
  /** Bytes of the resident code's file (.mtdcore), of which the boot lexes the loader. */
  coreBytes: number;
  /** Bytes of its loader, the part the boot lexes (scripts/slice-resident.ts). */
  loaderBytes: number;
  /**
   * The same boot timed, in L, and two of its parts timed alone in the same process (each
   * the least of 3): the definitions and the mount module's copy. The rest of the boot is
   * the mount's run and the entry's own work (making the platform, installing the hooks).
   */
  bootL: number;
  definitionsL: number;
  mountCopyL: number;
  /**
   * The trade the two goals missed on this build make with each other (docs/FOOTPRINT.md):
   * the same recorded crash when the resident functions are made from a RAM copy of
   * .mtdcore instead of the Storage file, so that their code is lexed from RAM. Its flash
   * reads (as `crash`), and the JsVars the copy holds after the boot, beyond those of the
   * boot from Storage. The firmware does not do this: see crashFlashL.
   */
  crashCodeInRam: number;
  codeInRamJsVars: number;
  /** The boot timed as bootL, .mtdcore copied into RAM first, the copy included. */
  bootRamL: number;
  /**
   * A recorded crash timed both ways in this process, in L (each the least of 3, console
   * ring full, from a boot of its own): the resident code lexed from flash, as the firmware
   * runs it, and from a RAM copy.
   */
  crashFlashL: number;
  crashRamL: number;
}

/**
 * The figures of FlashReads' code-in-RAM trade. Two boots, each with recorded crashes: the
 * one from a RAM copy, then one from Storage. They come after boots without crashes, so
 * that the crash-loop guard (3 boots in a row that crash early) does not hold them back;
 * each timed crash must be recorded, or the figures are refused.
 */
async function codeInRam(
  e: Espruino,
  dir: string,
  fresh: () => Promise<void>,
  loaderAt: number,
  L: number,
): Promise<Pick<FlashReads, "crashCodeInRam" | "codeInRamJsVars" | "crashFlashL" | "crashRamL">> {
  const fromStorage = "eval(require('Storage').read('mtdb0'))";
  const fromRam =
    "var c=''+require('Storage').read('" +
    FirmwareFile.Core +
    "');Function('c',c.substr(" +
    loaderAt +
    "))(c)";
  const held = async (boot: string): Promise<number> => {
    await fresh();
    const u0 = await usage(e);
    await e.run(boot);
    await sleep(300);
    return (await usage(e)) - u0;
  };
  const crashes = async (): Promise<number> => {
    let best = Infinity;
    for (let i = 0; i < 3; i++)
      best = Math.min(best, await recordedCrashCost(e, L, "the code-in-RAM figures"));
    return best;
  };
  const storageHeld = await held(fromStorage);
  const codeInRamJsVars = (await held(fromRam)) - storageHeld;
  await fillConsole(e, 100);
  const crashCodeInRam = await netReads(e, dir, uncaughtHandlersCall("new Error('bench crash')"));
  const crashRamL = await crashes();
  await held(fromStorage);
  await fillConsole(e, 100);
  const crashFlashL = await crashes();
  return { crashCodeInRam, codeInRamJsVars, crashFlashL, crashRamL };
}

const FLASH_FILE = "espruino.flash";

function haveStrace(): boolean {
  try {
    execFileSync("strace", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** strace's own failure (it could not attach: no ptrace in this container, say). */
export class StraceError extends Error {}

/** Counts the fake-flash opens while `code` runs in `e` (strace attached to its process). */
async function readsDuring(e: Espruino, dir: string, code: string): Promise<number> {
  const log = join(dir, "strace-" + Math.random().toString(36).slice(2));
  const st = spawn("strace", ["-p", String(e.proc.pid), "-e", "trace=openat", "-o", log], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let said = "";
  st.stderr.on("data", (d: Buffer) => (said += d.toString()));
  let exited = false;
  const done = new Promise((r) =>
    st.once("exit", () => {
      exited = true;
      r(undefined);
    }),
  );
  await sleep(700); // strace attaches
  if (exited || /ptrace|not permitted/i.test(said))
    throw new StraceError("strace could not attach to the interpreter: " + said.trim());
  await e.query("(function(){" + code + "})(),0", 60_000);
  await sleep(200);
  st.kill("SIGINT");
  await done;
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.includes(FLASH_FILE)).length;
}

/** Reads of `code` less those of an empty query in the same state. */
async function netReads(e: Espruino, dir: string, code: string): Promise<number> {
  const empty = await readsDuring(e, dir, "0");
  return (await readsDuring(e, dir, code)) - empty;
}

/**
 * The counts and times, measured in one interpreter process. The whole measurement runs
 * again (up to INPUT_RACE_TRIES in all) when the Linux build stopped on its own input race
 * (INPUT_RACE, test/espruino/espruino-process.ts), which a long session of queries meets
 * now and then; any other failure is thrown at once.
 */
export async function measureFlashReads(bin: string): Promise<FlashReads> {
  return againOnInputRace("bench:flash-reads", "measuring again", () => measureOnce(bin));
}

async function measureOnce(bin: string): Promise<FlashReads> {
  const files = await linuxFirmware();
  const boot = files[FirmwareFile.Boot] as string;
  const core = files[FirmwareFile.Core] as string;
  // The boot's definitions: the core's loader up to the functions it makes, without the
  // statements after them (the entry call among them), run as .boot0 runs the loader.
  const definitions = definitionsOnly(core);
  const loaderAt = loaderStartOf(core);
  const o: Record<string, string> = { ...files };
  delete o[FirmwareFile.Boot];
  o["mtdb0"] = boot;
  o["mtdb0d"] = definitions;
  const s = scratch();
  const e = await Espruino.start(bin, s.dir);
  try {
    await e.writeFiles(o, crc32);
    const fresh = async (): Promise<void> => {
      await e.run("reset()");
      await sleep(300);
    };
    // The first boot formats the log (creates the block files); the boot below is then
    // the formatted one.
    await fresh();
    const firstBootReads = await netReads(e, s.dir, "eval(require('Storage').read('mtdb0'))");
    await fresh();
    const bootReads = await netReads(e, s.dir, "eval(require('Storage').read('mtdb0'))");
    await fresh();
    const defReads = await netReads(
      e,
      s.dir,
      "var c=require('Storage').read('mtdb0d');Function('c',c.substr(" + loaderAt + "))(c)",
    );
    await fresh();
    const copyReads = await netReads(
      e,
      s.dir,
      "global.__m=''+require('Storage').read('" + FirmwareFile.Mount + "')",
    );
    await fresh();
    await e.run("eval(require('Storage').read('mtdb0'))");
    const lineReads = await netReads(e, s.dir, "console.log('sensor 3: 21.5 C, battery 87 %')");
    const panicReads = await netReads(e, s.dir, "mtdoops.panic('bench')");
    await fillConsole(e, 100);
    const crashReads = await netReads(e, s.dir, uncaughtHandlersCall("new Error('bench crash')"));
    // Past the per-boot cap (8 records on this board; the panic above was one).
    for (let i = 0; i < 10; i++) {
      await e.run(uncaughtHandlersCall("new Error('bench crash " + i + "')"));
      await sleep(20);
    }
    const suppressedReads = await netReads(
      e,
      s.dir,
      uncaughtHandlersCall("new Error('bench crash')"),
    );
    await fresh();
    const L = await e.measureL();
    // The least of 3, each after a reset (the state the boot finds): `read` is the Storage
    // read done before the clock starts, as the boot's own .boot0 lookup is not ours to time.
    const timedL = async (file: string, code: string): Promise<number> => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        await fresh();
        const ms = Number(
          await e.query(
            "(function(){var c=require('Storage').read('" +
              file +
              "');var t=getTime();" +
              code +
              ";return (getTime()-t)*1000})()",
            60_000,
          ),
        );
        best = Math.min(best, ms);
      }
      return best / L;
    };
    const bootL = await timedL("mtdb0", "eval(c)");
    const definitionsL = await timedL("mtdb0d", "Function('c',c.substr(" + loaderAt + "))(c)");
    const mountCopyL = await timedL(FirmwareFile.Mount, "global.__m=''+c");
    // The boot again, the resident code copied into RAM first (the copy timed with it).
    const bootRamL = await timedL(
      FirmwareFile.Core,
      "c=''+c;Function('c',c.substr(" + loaderAt + "))(c)",
    );
    await fresh();
    const flash: number[] = [];
    const ram: number[] = [];
    for (let i = 0; i < 7; i++) {
      const crcMs = async (copy: boolean): Promise<number> =>
        Number(
          await e.query(
            "(function(){var c=" +
              (copy ? "''+" : "") +
              "require('Storage').read('mtdb0d');var t=getTime();E.CRC32(c);E.CRC32(c);E.CRC32(c);return (getTime()-t)*1000/3})()",
          ),
        );
      flash.push(await crcMs(false));
      ram.push(await crcMs(true));
    }
    const inRam = await codeInRam(e, s.dir, fresh, loaderAt, L);
    return {
      boot: bootReads,
      firstBoot: firstBootReads,
      definitions: defReads,
      mountCopy: copyReads,
      line: lineReads,
      panic: panicReads,
      crash: crashReads,
      suppressed: suppressedReads,
      readL: (median(flash) - median(ram)) / L / (definitions.length / 16),
      coreBytes: core.length,
      loaderBytes: core.length - loaderAt,
      bootL,
      definitionsL,
      mountCopyL,
      bootRamL,
      ...inRam,
    };
  } catch (x) {
    // Said in the message, which measureFlashReads() reads: the dump the interpreter
    // prints after the assertion can push it out of the output an error quotes.
    if (e.raced && !(x instanceof StraceError) && !(x instanceof InputRaceError))
      throw new InputRaceError(INPUT_RACE + ": " + (x as Error).message, { cause: x });
    throw x;
  } finally {
    await e.kill();
    s.done();
  }
}

export function flashReadsSummary(r: FlashReads): string {
  return (
    `flash reads: boot=${r.boot} firstBoot=${r.firstBoot} definitions=${r.definitions} mountCopy=${r.mountCopy} ` +
    `line=${r.line} panic=${r.panic} crash=${r.crash} suppressed=${r.suppressed} read=${r.readL.toFixed(4)}L ` +
    `(boot reads ≈ ${(r.boot * r.readL).toFixed(1)}L; .mtdcore ${r.coreBytes} bytes, its loader ${r.loaderBytes})\n` +
    `boot time: ${r.bootL.toFixed(1)}L = definitions ${r.definitionsL.toFixed(1)}L + mount copy ` +
    `${r.mountCopyL.toFixed(1)}L + the mount's run and the entry ` +
    `${(r.bootL - r.definitionsL - r.mountCopyL).toFixed(1)}L\n` +
    `resident code in RAM instead of flash: a recorded crash ${r.crash} -> ${r.crashCodeInRam} reads, ` +
    `${r.crashFlashL.toFixed(2)}L -> ${r.crashRamL.toFixed(2)}L, for ${r.codeInRamJsVars} JsVars more held ` +
    `and a boot of ${r.bootL.toFixed(1)}L -> ${r.bootRamL.toFixed(1)}L`
  );
}

async function main(): Promise<void> {
  const { json } = scriptFlags("bench:flash-reads", "npm run bench:flash-reads [-- --json]", [
    "json",
  ] as const);
  const bin = interpreters().stock;
  if (!bin) nothingMeasured("bench:flash-reads", "ESPRUINO_BIN is not set: nothing measured", json);
  if (!haveStrace())
    nothingMeasured("bench:flash-reads", "strace is not installed: nothing measured", json);
  const r = await measureFlashReads(bin);
  if (json) process.stdout.write(JSON.stringify(r) + "\n");
  else process.stdout.write(JSON.stringify(r, null, 2) + "\n" + flashReadsSummary(r) + "\n");
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href)
  runScript("bench:flash-reads", main);
