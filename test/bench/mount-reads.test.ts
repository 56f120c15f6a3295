// The mount benchmark counts what it says: our mount's header reads stay within the goal in
// the normal case, and the mtdoops model's attach reads one header per slot.
import { describe, expect, it } from "vitest";
import { measureMountReads, mountGeometry, mountReadGoal } from "./mount-reads.js";

describe("measureMountReads", () => {
  it.each([16, 64, 256])(
    "%i slots: ours within 2 ceil(log2 N) + 4, mtdoops reads every slot",
    (slots) => {
      const r = measureMountReads(slots, 3);
      expect(r.slots).toBe(slots);
      expect(r.fullScan).toBe(false);
      expect(r.reads).toBeGreaterThan(Math.log2(slots)); // a binary search, not a guess
      expect(r.reads).toBeLessThanOrEqual(mountReadGoal(slots));
      expect(r.mtdoopsReads).toBe(slots);
    },
  );

  it("uses partitions of at least two blocks with the requested slot count", () => {
    for (const slots of [16, 32, 4096]) {
      const { geometry, recordSize } = mountGeometry(slots);
      expect(geometry.size / recordSize).toBe(slots);
      expect(geometry.size / geometry.eraseSize).toBeGreaterThanOrEqual(2);
    }
    expect(mountReadGoal(16)).toBe(12);
    expect(mountReadGoal(4096)).toBe(28);
  });
});
