// The mount benchmark counts what it says: our mount is a binary search plus the stale-block
// check (at most 2 header reads per erase block, DESIGN.md "Limits"), never a full scan in
// the normal case, and the mtdoops model's attach reads one header per slot. Whether that
// meets the bench's goal, 2 ceil(log2 N) + 4, is the bench's figure to report, not a test.
import { describe, expect, it } from "vitest";
import { measureMountReads, mountGeometry, mountReadGoal } from "./mount-reads.js";

describe("measureMountReads", () => {
  it.each([16, 64, 256])(
    "%i slots: ours a binary search plus at most 2 reads per block, mtdoops reads every slot",
    (slots) => {
      const r = measureMountReads(slots, 3);
      const { geometry } = mountGeometry(slots);
      expect(r.slots).toBe(slots);
      expect(r.fullScan).toBe(false);
      expect(r.reads).toBeGreaterThan(Math.log2(slots)); // a binary search, not a guess
      expect(r.reads).toBeLessThanOrEqual(
        mountReadGoal(slots) + (2 * geometry.size) / geometry.eraseSize,
      );
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
