// The storm benchmark: our policy keeps a storm's first crash wherever it promises to, and
// the mtdoops model loses it once the storm outgrows the partition.
import { describe, expect, it } from "vitest";
import { loadBoard } from "../../src/boards/load.js";
import { measureStorm, promisesFirst } from "./survival.js";

describe("crash storms", () => {
  const puck = loadBoard("puckjs"); // 12 slots in 3 blocks: 8 always kept

  it("boot loop: ours keeps the first three crashes; mtdoops keeps the newest", () => {
    const c = measureStorm(puck, "bootloop", 48);
    expect(c.points).toHaveLength(48);
    expect(c.firstKeptWheneverPromised).toBe(true);
    const last = c.points[47]!;
    expect(last.kept).toBe(3);
    expect(last.firstKept).toBe(true);
    expect(last.lastKept).toBe(false);
    expect(last.mtdoopsFirstKept).toBe(false);
    expect(last.mtdoopsLastKept).toBe(true);
    expect(last.mtdoopsKept).toBeGreaterThanOrEqual(8);
    // Below its capacity mtdoops keeps every crash too.
    expect(c.points[7]!.mtdoopsKept).toBe(8);
  });

  it("burst: ours keeps the boot's first 8", () => {
    const c = measureStorm(puck, "burst", 20);
    expect(c.firstKeptWheneverPromised).toBe(true);
    expect(c.points[19]!.kept).toBe(8);
    expect(c.points[19]!.firstKept).toBe(true);
  });

  it("promises the first crash only when what the storm writes fits in all blocks but one", () => {
    expect(promisesFirst("bootloop", 100, 3, 4)).toBe(true); // 3 records <= 8
    expect(promisesFirst("burst", 100, 3, 4)).toBe(true); // 8 <= 8
    expect(promisesFirst("burst", 5, 2, 4)).toBe(false); // 5 > 4
    expect(promisesFirst("burst", 4, 2, 4)).toBe(true);
    expect(promisesFirst("bootloop", 3, 2, 1)).toBe(false); // 3 > 1
  });
});
