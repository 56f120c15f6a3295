// The firmware's on-demand modules (docs/FIRMWARE.md, "Files") on the virtual board: the
// resident part keeps only the log's state and loads the code that works on it. Between
// runs the state must reference no function (a function keeps its whole module in RAM on
// the board) and none of the configuration; a missing module is one error line, never an
// exception, and never a loop of dump hooks.

import { describe, expect, it } from "vitest";
import { loadBoard } from "../src/boards/load.js";
import { FirmwareFile } from "../src/boards/firmware-files.js";
import { configure, createLog } from "../src/core/log-core.js";
import type { LogCore, LogOptions } from "../src/core/log-core.js";
import { ConsoleRing } from "../src/core/ring.js";
import { reasonName } from "../src/core/record.js";
import { openRecord, VirtualBoard } from "../src/sim/virtual-board.js";
import { buildFirmwareBundle } from "./helpers/firmware.js";
import { newFlash } from "./helpers/model.js";

const linux = loadBoard("linux");
const LINUX = await buildFirmwareBundle(linux);

/**
 * A stand-in for .mtdread, called by the resident run() as the real one is: it reports
 * what the log's state it is given holds: the paths of the functions reachable from it
 * and its own keys.
 */
const PROBE = `(function(){return function(log){
  var fns = [], seen = [];
  function walk(v, path, depth) {
    if (typeof v === "function") { fns.push(path); return; }
    if (!v || typeof v !== "object" || depth > 8 || ArrayBuffer.isView(v) || seen.indexOf(v) >= 0) return;
    seen.push(v);
    Object.keys(v).forEach(function (k) { walk(v[k], path + "." + k, depth + 1); });
  }
  walk(log, "log", 0);
  return JSON.stringify({ functions: fns, keys: Object.keys(log).sort() });
}})()`;

/** How many fields the log's state keeps on the board: createLog()'s, less what configure() sets and the mount's scratch, plus _t0. */
function residentFieldCount(): number {
  const flash = newFlash({ size: 16384, eraseSize: 4096, progUnit: 4, pageSize: 256, erasedValue: 255 });
  const o: LogOptions = {
    flash,
    recordSize: 1024,
    ring: new ConsoleRing(64),
    scheduler: { defer: () => undefined },
    clock: { now: () => 0, uptime: () => 0 },
  };
  const all = Object.keys(createLog(o)).length;
  const configured = {} as LogCore;
  configure(configured, o);
  return all - Object.keys(configured).length - 2 + 1;
}

function probe(vb: VirtualBoard): { functions: string[]; keys: string[] } {
  vb.storage.writeFile(FirmwareFile.Read, PROBE);
  const r = JSON.parse(vb.eval("mtdoops.stats()") as string) as { functions: string[]; keys: string[] };
  vb.storage.writeFile(FirmwareFile.Read, LINUX[FirmwareFile.Read] as string);
  return r;
}

describe("the log's state between module runs", () => {
  it("holds no function and no configuration: after boot, a panic, an oops and its deferred job, a wrap", () => {
    const vb = new VirtualBoard({ board: linux, firmware: LINUX });
    vb.boot();
    vb.advance(100);
    const first = probe(vb);
    expect(first.functions).toEqual([]);
    expect(first.keys).toHaveLength(residentFieldCount());
    expect(vb.eval('mtdoops.panic("p")')).toBe(true);
    expect(probe(vb)).toEqual(first);
    expect(vb.eval('mtdoops.oops("o")')).toBe(true);
    vb.advance(2000); // the oops is written by a job, after the console caught up
    expect(probe(vb)).toEqual(first);
    // records crossing into the next blocks: erase-ahead jobs run from their timers
    for (let i = 0; i < 6; i++) {
      vb.eval('mtdoops.oops("w' + i + '")');
      vb.advance(2000);
    }
    expect(probe(vb)).toEqual(first);
    const r = vb.retrieve();
    expect(r.error).toBeUndefined();
    const recs = r.records.map((x) => openRecord(x.raw, linux.recordSize));
    expect(recs.map((x) => reasonName(x.record.reason))).toEqual(["panic", "oops", "oops", "oops", "oops", "oops", "oops", "oops"]);
    expect(recs.map((x) => x.context["msg"])).toEqual(["p", "o", "w0", "w1", "w2", "w3", "w4", "w5"]);
  });
});

/** Boots the linux firmware without one of its modules; returns the board and what the boot printed. */
function bootWithout(file: FirmwareFile): { vb: VirtualBoard; out: string } {
  const files = { ...LINUX };
  delete files[file];
  const vb = new VirtualBoard({ board: linux, firmware: files });
  vb.boot();
  vb.advance(100);
  return { vb, out: vb.takeOutput() };
}

describe("a missing module", () => {
  it(".mtdmount: one error line, nothing starts", () => {
    const { vb, out } = bootWithout(FirmwareFile.Mount);
    expect(out).toContain("MTDOOPS:ERROR .mtdmount missing");
    expect(out).toContain("mtdoops: not started");
    expect(out).not.toContain("Uncaught");
    expect(vb.eval("typeof mtdoops")).toBe("undefined");
  });

  it(".mtdwrite: a panic is false with one error line; an uncaught exception is reported once, no loop", () => {
    const { vb } = bootWithout(FirmwareFile.Write);
    expect(vb.eval('mtdoops.panic("p")')).toBe(false);
    expect(vb.takeOutput()).toContain("MTDOOPS:ERROR .mtdwrite missing");
    vb.eval("setTimeout(function(){ throw new Error('boom'); }, 10)");
    vb.advance(5000);
    const out = vb.takeOutput();
    expect(out.match(/Uncaught/g)).toHaveLength(1);
    expect(out.match(/MTDOOPS:ERROR \.mtdwrite missing/g)).toHaveLength(1);
  });

  it(".mtdread: the retrieval answers MTDOOPS:ERROR; the host reports it", () => {
    const { vb } = bootWithout(FirmwareFile.Read);
    vb.eval("mtdoops.dump(-1, 0)");
    expect(vb.takeOutput()).toContain("MTDOOPS:ERROR .mtdread missing");
    const r = vb.retrieve();
    expect(r.records).toEqual([]);
    expect(String(r.error)).toContain(".mtdread missing");
  });
});
