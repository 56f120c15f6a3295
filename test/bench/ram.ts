// npm run bench:ram [-- --json]: where the logger's idle RAM goes on the real interpreter
// (the Linux build named by ESPRUINO_BIN), the measurement behind docs/FOOTPRINT.md's
// verdict on the idle goal (<= 300 JsVars beyond the ring).
//
// In one interpreter process it measures:
// - what a function costs while it exists: 20 functions of 0, 1 and 3 parameters made from
//   slices of a Storage file, as the resident code's loader makes them
//   (scripts/slice-resident.ts), each set's JsVars less those of the same file with no
//   function; fitted as `perFunction + perParameter * parameters`;
// - what the logger holds after a boot over a formatted log, beyond its console ring, the
//   boot evaluated as bench:device evaluates it (its idleJsVars);
// - the record buffer it allocates at boot (a Uint8Array of the record size);
// and it counts the functions of the resident code that stay after boot (the Linux
// board's .mtdcore parsed, less the boot-only functions its loader deletes) and their
// parameters, then boots once more without that release to measure what it frees. Prints one JSON object (the last line with --json) and one line.
// Without ESPRUINO_BIN it prints `null` (with --json) and says why.

import { parse } from "acorn";
import { madeFunctions, releasedNames, withoutRelease } from "../../scripts/slice-resident.js";
import { loadBoard } from "../../src/boards/load.js";
import { FirmwareFile } from "../../src/boards/firmware-files.js";
import { crc32 } from "../../src/core/crc32.js";
import { againOnInputRace, Espruino, interpreters } from "../espruino/espruino-process.js";
import {
  bootCost,
  fillConsole,
  linuxFirmware,
  recordedCrashCost,
  scratch,
  sleep,
  uncaughtHandlersCall,
  usage,
} from "./device-scenarios.js";
import { nothingMeasured, runScript, scriptFlags } from "./script-cli.js";

export interface RamFigures {
  /** JsVars a function holds with no parameter, measured. */
  perFunction: number;
  /** JsVars each parameter adds, measured. */
  perParameter: number;
  /** Functions of the resident code that stay after boot, and their parameters. */
  residentFunctions: number;
  residentParameters: number;
  /** residentFunctions and residentParameters at the measured costs. */
  functionJsVars: number;
  /** The record buffer allocated at boot. */
  bufferJsVars: number;
  /** What the logger holds after boot beyond its console ring. */
  idleJsVars: number;
  /** idleJsVars less the functions and the buffer: the log's state, the API object, the hooks' entries. */
  restJsVars: number;
  /** What the release of the boot-only functions frees: the same boot without it, less idleJsVars. */
  releasedJsVars: number;
  /**
   * The trade that would meet the idle goal (docs/FOOTPRINT.md), measured: the resident
   * functions made at each crash or panic instead of kept, all but those a console line
   * and a crash past the per-boot cap call (traced on the interpreter), which must stay
   * cheap. `onDemand` is the figures of that design, on the same firmware.
   */
  onDemand: OnDemandFigures;
}

export interface OnDemandFigures {
  /** Resident functions ($mtd's) that a console line or a refused crash calls: kept. */
  kept: string[];
  /** The others: made at each crash or panic instead of kept. */
  made: string[];
  /** What `made` holds while kept: E.getSizeOf of each, and its property on $mtd. */
  heldJsVars: number;
  /** idleJsVars less heldJsVars: the idle RAM of that design. */
  idleJsVars: number;
  /** What making `made` takes (E.getSizeOf of an object holding them): free JsVars every record would need on top. */
  makeJsVars: number;
  /**
   * A recorded crash timed both ways, in L (each the least of 6 over two processes, taken
   * in turns, the console ring full, the scaffolding's own time included, which
   * bench:device subtracts): as the firmware runs it, and with `made` made first, on the
   * clock.
   */
  crashL: number;
  crashMadeL: number;
}

interface FnNode {
  type: string;
  params?: unknown[];
  id?: { name: string } | null;
}

/**
 * The functions of `core` (a core file laid out by sliceResident) left after boot: every
 * function it declares or writes, less the top-level declarations its loader deletes. The
 * functions nested in them (the hooks, the API's methods) are counted at the same cost,
 * though each holds one JsVar more, its scope.
 */
export function residentFunctions(core: string): { functions: number; parameters: number } {
  const released = new Set<string>(releasedNames(core));
  const ast = parse(core, { ecmaVersion: 2020, sourceType: "script" }) as unknown as {
    body: FnNode[];
  };
  let functions = 0;
  let parameters = 0;
  const walk = (n: unknown, top: boolean): void => {
    if (!n || typeof n !== "object") return;
    const node = n as FnNode;
    if (typeof node.type === "string" && /Function/.test(node.type)) {
      // A released function is freed, but what it made (the hooks, the API) stays.
      if (!(top && node.id && released.has(node.id.name))) {
        functions++;
        parameters += node.params ? node.params.length : 0;
      }
    }
    for (const v of Object.values(n as Record<string, unknown>)) {
      if (Array.isArray(v)) for (const c of v) walk(c, false);
      else if (v && typeof v === "object") walk(v, false);
    }
  };
  for (const n of ast.body) walk(n, true);
  return { functions, parameters };
}

/**
 * A file whose code, run as the resident loader is (`Function("c", rest)(c)` over the file
 * itself), makes `count` functions of `params` parameters each from slices of the file and
 * keeps them on a global object.
 */
function functionsFile(count: number, params: number, id: number): string {
  const names = ["a", "b", "c"].slice(0, params);
  let decls = "";
  let loader = "var F=Function,g=global.k" + id + "={};";
  for (let i = 0; i < count; i++) {
    decls += "function f" + i + "(" + names.join(",") + "){";
    const body = "return " + i;
    loader +=
      "g.f" +
      i +
      "=F(" +
      names.map((n) => JSON.stringify(n) + ",").join("") +
      "c.substr(" +
      decls.length +
      "," +
      body.length +
      "));";
    decls += body + "}";
  }
  return decls + "\n" + loader + "\n";
}

const COUNT = 20;
const BOOT_COPY = "mtdboot0";

/**
 * The figures (RamFigures), measured again (up to INPUT_RACE_TRIES in all, each time from
 * an empty flash) when the Linux build stopped on its own input race (INPUT_RACE in
 * espruino-process.ts).
 */
export async function measureRam(bin: string): Promise<RamFigures> {
  return againOnInputRace("bench:ram", "measuring again", () => measureRamOnce(bin));
}

async function measureRamOnce(bin: string): Promise<RamFigures> {
  const board = loadBoard("linux");
  const files = await linuxFirmware();
  const s = scratch();
  try {
    const sets: Array<[string, string]> = [
      ["fnbase", functionsFile(0, 0, 0)],
      ["fn0", functionsFile(COUNT, 0, 1)],
      ["fn1", functionsFile(COUNT, 1, 2)],
      ["fn3", functionsFile(COUNT, 3, 3)],
    ];
    const install: Record<string, string> = {};
    for (const [k, v] of Object.entries(files))
      install[k === FirmwareFile.Boot ? BOOT_COPY : k] = v;
    for (const [k, v] of sets) install[k] = v;
    const first = await Espruino.start(bin, s.dir);
    try {
      await first.writeFiles(install, crc32);
      // A first boot formats the log: the figure is that of a boot over a formatted log,
      // as bench:device's idleJsVars.
      await first.run("eval(require('Storage').read(" + JSON.stringify(BOOT_COPY) + "))");
    } finally {
      await first.kill();
    }
    const e = await Espruino.start(bin, s.dir);
    try {
      // The logger's boot first, in a fresh process as bench:device measures it.
      const ring = Number(await e.query("E.getSizeOf(new Uint8Array(" + board.ringSize + "))"));
      const bufferJsVars = Number(
        await e.query("E.getSizeOf(new Uint8Array(" + board.recordSize + "))"),
      );
      const u0 = await usage(e);
      await bootCost(e, 1, BOOT_COPY);
      if ((await e.query("typeof mtdoops")) !== "object")
        throw new Error("the logger did not start");
      const idleJsVars = (await usage(e)) - u0 - ring;
      const held: number[] = [];
      for (const [k] of sets) {
        const before = await usage(e);
        await e.run(
          "var c=require('Storage').read(" +
            JSON.stringify(k) +
            ");Function('c',c.substr(c.indexOf('\\n')+1))(c)",
        );
        held.push((await usage(e)) - before);
      }
      const [base, f0, f1, f3] = held as [number, number, number, number];
      const perFunction = (f0 - base) / COUNT;
      const perParameter = ((f3 - base) / COUNT - perFunction) / 3;
      if (Math.abs((f1 - base) / COUNT - (perFunction + perParameter)) > 0.5)
        throw new Error(
          "the cost of a function is not linear in its parameters here: " + held.join(", "),
        );
      const core = files[FirmwareFile.Core] ?? "";
      const r = residentFunctions(core);
      await e.kill();
      const onDemand = await measureOnDemand(bin, s.dir, core, idleJsVars);
      // The same boot with the loader's deletes left out (scripts/slice-resident.ts): what
      // releasing the boot-only functions frees.
      const kept = withoutRelease(core);
      const w = await Espruino.start(bin, s.dir);
      try {
        await w.writeFiles({ [FirmwareFile.Core]: kept }, crc32);
      } finally {
        await w.kill();
      }
      const k = await Espruino.start(bin, s.dir);
      let unreleased: number;
      try {
        const v0 = await usage(k);
        await bootCost(k, 1, BOOT_COPY);
        unreleased = (await usage(k)) - v0 - ring;
      } finally {
        await k.kill();
      }
      const functionJsVars = Math.round(r.functions * perFunction + r.parameters * perParameter);
      return {
        perFunction,
        perParameter,
        residentFunctions: r.functions,
        residentParameters: r.parameters,
        functionJsVars,
        bufferJsVars,
        idleJsVars,
        restJsVars: idleJsVars - functionJsVars - bufferJsVars,
        releasedJsVars: unreleased - idleJsVars,
        onDemand,
      };
    } finally {
      await e.kill();
    }
  } finally {
    s.done();
  }
}

/** Makes up to `count` crashes until one is refused (the per-boot cap); false if none was. */
async function crashUntilRefused(e: Espruino, count: number): Promise<boolean> {
  for (let i = 0; i < count; i++) {
    const before = Number(await e.query("mtdoops.stats().suppressed"));
    await e.run(uncaughtHandlersCall("new Error('ram bench crash " + i + "')"));
    await sleep(30);
    if (Number(await e.query("mtdoops.stats().suppressed")) > before) return true;
  }
  return false;
}

/**
 * OnDemandFigures, in three processes over the formatted flash of `dir`. The first finds
 * what must stay: after the crashes that reach the per-boot cap, it wraps every function
 * of RESIDENT_GLOBAL to note its calls, then prints a line and makes one more crash, which
 * is refused. The other two boot again (each a new boot, under the cap) and time a
 * recorded crash as shipped and with the others made first, from their slices of
 * .mtdcore as the loader makes them.
 */
async function measureOnDemand(
  bin: string,
  dir: string,
  core: string,
  idleJsVars: number,
): Promise<OnDemandFigures> {
  const make = new Map(madeFunctions(core).map((f) => [f.name, f.statement]));
  const t = await Espruino.start(bin, dir);
  let kept: string[];
  let sizes: Record<string, number>;
  try {
    await bootCost(t, 1, BOOT_COPY);
    sizes = JSON.parse(
      await t.query(
        "(function(){var z={};Object.keys($mtd).forEach(function(k){if(typeof $mtd[k]=='function')z[k]=E.getSizeOf($mtd[k])});return JSON.stringify(z)})()",
      ),
    ) as Record<string, number>;
    if (!(await crashUntilRefused(t, 20)))
      throw new Error("no crash was refused after 20: the per-boot cap did not apply");
    const refused = Number(await t.query("mtdoops.stats().suppressed"));
    // Traced on one line, so that nothing else (the queries' own prints, mtdoops.stats())
    // runs between the wrapping and the unwrapping.
    kept = (
      JSON.parse(
        await t.query(
          "(function(){var u={},o={};Object.keys($mtd).forEach(function(k){var f=$mtd[k];if(typeof f=='function'){o[k]=f;$mtd[k]=function(){u[k]=1;return f.apply(this,arguments)}}});" +
            "console.log('sensor 3: 21.5 C, battery 87 %');" +
            uncaughtHandlersCall("new Error('ram bench crash')") +
            ";Object.keys(o).forEach(function(k){$mtd[k]=o[k]});return JSON.stringify(Object.keys(u))})()",
        ),
      ) as string[]
    ).sort();
    if (Number(await t.query("mtdoops.stats().suppressed")) !== refused + 1)
      throw new Error("the traced crash was not refused: the trace is not of a refused crash");
  } finally {
    await t.kill();
  }
  // Only what the loader made: $mtd also keeps natives (the original `print`, the
  // heatshrink module).
  kept = kept.filter((k) => make.has(k));
  const made = Object.keys(sizes)
    .filter((k) => make.has(k) && !kept.includes(k))
    .sort();
  if (kept.length === 0 || made.length === 0)
    throw new Error("the trace found nothing to keep or nothing to make: " + kept.join(","));
  const heldJsVars = made.reduce((n, k) => n + (sizes[k] as number) + 1, 0);
  const maker =
    "var c=require('Storage').read(" +
    JSON.stringify(FirmwareFile.Core) +
    "),F=Function,m=$mtd;" +
    made.map((k) => make.get(k) as string).join("");
  let crashL = Infinity;
  let crashMadeL = Infinity;
  let makeJsVars = 0;
  // Two processes, as the same build's crash varies from one process to the next; in each,
  // taken in turns (three of each, under the per-boot cap of 8 on this board, one of which
  // is kept for a panic), so that the process's drift falls on both alike.
  for (let p = 0; p < 2; p++) {
    const o = await Espruino.start(bin, dir);
    try {
      await bootCost(o, 1, BOOT_COPY);
      await fillConsole(o, 100);
      const L = await o.measureL();
      const crash = (prelude: string): Promise<number> =>
        recordedCrashCost(o, L, "the on-demand figures", prelude);
      // The order turns too (as shipped first, then made first, then as shipped): one
      // recorded crash in four also runs the erase-ahead in its job (a block's last slot),
      // and in strict turns those would fall on one of the two every time.
      for (let i = 0; i < 3; i++) {
        const madeFirst = i === 1;
        if (madeFirst) crashMadeL = Math.min(crashMadeL, await crash(maker));
        crashL = Math.min(crashL, await crash(""));
        if (!madeFirst) crashMadeL = Math.min(crashMadeL, await crash(maker));
      }
      makeJsVars = Number(
        await o.query("(function(){var $mtd={};" + maker + "return E.getSizeOf($mtd)})()"),
      );
    } finally {
      await o.kill();
    }
  }
  return {
    kept,
    made,
    heldJsVars,
    idleJsVars: idleJsVars - heldJsVars,
    makeJsVars,
    crashL,
    crashMadeL,
  };
}

/** The one-line summary. */
export function ramSummary(r: RamFigures): string {
  const cost = `a function ${r.perFunction.toFixed(2)} + ${r.perParameter.toFixed(2)} per parameter`;
  return (
    `ram: idle=${r.idleJsVars} JsVars beyond the ring = ${r.functionJsVars} for ` +
    `${r.residentFunctions} resident functions with ${r.residentParameters} parameters (${cost})` +
    ` + ${r.bufferJsVars} record buffer + ${r.restJsVars} the rest (the log's state, the API` +
    ` object, the hooks' entries); the boot-only functions' release freed ${r.releasedJsVars}` +
    `\nram: the write path made on demand instead (${r.onDemand.made.length} functions made at each` +
    ` record, ${r.onDemand.kept.length} kept): idle ${r.idleJsVars} -> ${r.onDemand.idleJsVars} JsVars,` +
    ` a recorded crash ${r.onDemand.crashL.toFixed(2)}L -> ${r.onDemand.crashMadeL.toFixed(2)}L,` +
    ` ${r.onDemand.makeJsVars} JsVars more needed free for each record`
  );
}

async function main(): Promise<void> {
  const { json } = scriptFlags("bench:ram", "npm run bench:ram [-- --json]", ["json"] as const);
  const bins = interpreters();
  if (!bins.stock)
    nothingMeasured("bench:ram", "ESPRUINO_BIN is not set: no interpreter to measure on", json);
  const r = await measureRam(bins.stock);
  const line = ramSummary(r);
  if (json) {
    process.stderr.write(line + "\n");
    process.stdout.write(JSON.stringify(r) + "\n");
  } else process.stdout.write(JSON.stringify(r, null, 2) + "\n" + line + "\n");
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], "file://").href)
  runScript("bench:ram", main);
