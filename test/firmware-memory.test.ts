// How the firmware counts free memory (firmware/api.ts record(), firmware/env.ts compress()),
// on the virtual board, whose process.memory() models what Espruino's does: reference
// cycles stay allocated until the garbage collector runs, and process.memory(false) counts
// them as used (JsVarModel, src/sim/shim-host.ts). On the Linux build that was a thousand
// JsVars and more between crashes: the logger took such a count for what was left, and
// counted a crash lost, or refused to compress with an Error whose stack trace cost a
// recorded crash 7-12 L more (docs/FOOTPRINT.md). The interpreter tier runs the first case
// on the real interpreter (test/espruino/interpreter.test.ts).

import { describe, expect, it } from "vitest";
import { loadBoard } from "../src/boards/load.js";
import { Flags } from "../src/core/record.js";
import { openRecord, VirtualBoard } from "../src/sim/virtual-board.js";
import { buildFirmwareBundle, compressorBundle } from "./helpers/firmware.js";

const linux = loadBoard("linux");
const LINUX = await buildFirmwareBundle(linux);
/** The firmware's MIN_FREE (firmware/env.ts): below it a dump is counted lost. */
const MIN_FREE = 120;
/** What the virtual board counts for the firmware itself (src/sim/espruino-globals.ts). */
const FIRMWARE_JSVARS = 300;

interface Stats {
  written: number;
  lost: number;
}

/**
 * The Linux board with the firmware, its console ring filled, then left with `free` JsVars
 * free, the rest taken `as` garbage or held by the app; and its stats() from before that
 * (stats() loads the retrieval module, which counts memory too).
 */
function boardLeaving(free: number, as: "garbage" | "held"): { vb: VirtualBoard; before: Stats } {
  const vb = new VirtualBoard({ board: linux, firmware: LINUX });
  vb.boot();
  vb.input("for(var i=0;i<60;i++)console.log('app line '+i+' with some text to fill the ring')\n");
  vb.advance(10);
  const before = stats(vb);
  vb.memory[as] = linux.jsvars - FIRMWARE_JSVARS - free;
  return { vb, before };
}

function crash(vb: VirtualBoard, msg: string): void {
  vb.input("setTimeout(function(){ throw new Error(" + JSON.stringify(msg) + "); }, 10)\n");
  vb.advance(200);
}

function stats(vb: VirtualBoard): Stats {
  return vb.eval("mtdoops.stats()") as Stats;
}

describe("free memory, as the firmware counts it", () => {
  it("records a crash, compressed, when uncollected garbage leaves less than MIN_FREE counted free", () => {
    const { vb, before } = boardLeaving(MIN_FREE - 60, "garbage");
    crash(vb, "after garbage");
    expect(vb.memory.garbage).toBe(0); // collected
    const after = stats(vb);
    expect([after.written, after.lost]).toEqual([before.written + 1, before.lost]);
    const r = vb.retrieve();
    expect(r.error).toBeUndefined();
    const last = r.records.map((x) => openRecord(x.raw, linux.recordSize)).pop();
    expect(last?.context["msg"]).toBe("after garbage");
    expect((last?.record.flags ?? 0) & Flags.HEATSHRINK).toBe(Flags.HEATSHRINK);
  });

  it("counts a crash lost when the app itself holds all but MIN_FREE - 60 (nothing to collect)", () => {
    const { vb, before } = boardLeaving(MIN_FREE - 60, "held");
    crash(vb, "short of memory");
    const after = stats(vb);
    expect([after.written, after.lost]).toEqual([before.written, before.lost + 1]);
  });
});

// The compressor alone, from a stand-in entry that hands it to the test.
const COMPRESSOR = await compressorBundle(linux);

describe("the firmware's compressor and free memory", () => {
  const input = "new Uint8Array(2000).fill(65)";
  // It asks for MIN_FREE and an eighth of its input: 370 JsVars for 2000 bytes.
  const leaving = (free: number, as: "garbage" | "held"): VirtualBoard => {
    const vb = new VirtualBoard({ board: linux, firmware: COMPRESSOR });
    vb.boot();
    vb.memory[as] = linux.jsvars - FIRMWARE_JSVARS - free;
    return vb;
  };

  it("refuses with undefined, not an Error, when memory is short after a collection", () => {
    const vb = leaving(200, "held");
    expect(vb.eval("typeof __compress(" + input + ")")).toBe("undefined");
  });

  it("collects the garbage when the count without a collection is short, then compresses", () => {
    const vb = leaving(200, "garbage");
    expect(vb.eval("__compress(" + input + ").length")).toBeGreaterThan(0);
    expect(vb.memory.garbage).toBe(0);
  });

  it("collects nothing when the first count is enough", () => {
    const vb = leaving(2000, "garbage");
    expect(vb.eval("__compress(" + input + ").length")).toBeGreaterThan(0);
    expect(vb.memory.garbage).toBeGreaterThan(0);
  });
});
