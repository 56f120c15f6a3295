// The resident file's layout (scripts/slice-resident.ts): the functions made from slices of
// the file by its loader, reaching each other through the resident object; the boot-only
// ones deleted after the entry call.

import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { buildBoard } from "../scripts/build-firmware.js";
import {
  loaderStartOf,
  madeFunctions,
  releasedNames,
  RESIDENT_GLOBAL,
  sliceResident,
  withoutRelease,
} from "../scripts/slice-resident.js";
import { loadAllBoards } from "../src/boards/load.js";

describe("the resident file's loader (scripts/slice-resident.ts)", () => {
  it("every board's loader deletes the boot-only functions it makes, after the entry call", async () => {
    for (const board of loadAllBoards()) {
      const core = (await buildBoard(board, { write: false })).files[1]?.code ?? "";
      const loader = core.slice(loaderStartOf(core));
      const made = new Set(madeFunctions(core).map((f) => f.name));
      const released = releasedNames(core);
      // start, openFlash, logOptions, the backend's factory and its helpers, the capture's
      // and the API's installers: 8 on a Storage board, 6 or 7 on the others.
      expect(released.length, board.id).toBeGreaterThanOrEqual(6);
      for (const n of released) expect(made.has(n), board.id + " " + n).toBe(true);
      // The entry call (to start(), whose argument is the board) comes before the deletes.
      const entry = loader.indexOf("({id:");
      expect(entry, board.id).toBeGreaterThan(0);
      expect(loader.indexOf("delete m."), board.id).toBeGreaterThan(entry);
    }
  }, 120_000);

  it("makes the functions from slices of the file; they reach each other and the top-level variables through the resident object, and the released ones are gone", async () => {
    const sliced = await sliceResident(
      "let count = 0; const STEP = 2;" +
        "function helper(x){count += STEP; return x + count}" +
        "function install(l){l.api=function(){return helper(1)}}" +
        "function start(l){install(l)}start(globalThis.log={});",
      ["start", "install"],
    );
    expect(sliced.released).toEqual(["start", "install"]);
    const box: Record<string, unknown> = {};
    box["global"] = box;
    box["c"] = sliced.core;
    const out = runInNewContext(
      "Function('c',c.substr(" +
        sliced.loaderStart +
        "))(c);[log.api(), log.api(), Object.keys(" +
        RESIDENT_GLOBAL +
        ").length]",
      box,
    ) as [number, number, number];
    // helper and count stay; start and install were deleted; STEP was written in.
    expect([out[0], out[1], out[2]]).toEqual([3, 5, 2]);
    expect(sliced.core).not.toMatch(/STEP/);
    // A boot without the release keeps them, in a file of the same length.
    const kept = withoutRelease(sliced.core);
    expect(kept.length).toBe(sliced.core.length);
    const box2: Record<string, unknown> = { c: kept };
    box2["global"] = box2;
    expect(
      runInNewContext(
        "Function('c',c.substr(" +
          sliced.loaderStart +
          "))(c);Object.keys(" +
          RESIDENT_GLOBAL +
          ").length",
        box2,
      ),
    ).toBe(4);
  });

  it("refuses a bundle that renamed a boot-only function, or one without start()", async () => {
    await expect(
      sliceResident("function install2(){}function start(){install2()}start();", ["install"]),
    ).rejects.toThrow(/renamed install/);
    await expect(sliceResident("function install(){}install();", ["install"])).rejects.toThrow(
      /no start/,
    );
  });
});
