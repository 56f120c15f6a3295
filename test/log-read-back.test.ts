// The deferred write path reads each record back (src/core/log-core.ts writeDump): a
// program that did not land is caught there, the slot is given up and the record goes to
// the next one, or is counted lost after three slots. The check is a CRC of what the
// flash holds, taken by the backend in place when it can (Flash crc32, src/core/flash.ts)
// and from read() otherwise; both ways must catch the same failures.

import { describe, expect, it } from "vitest";
import { Reason } from "../src/core/record.js";
import { NRF_4K, liveSeqs } from "./helpers/log-fixture.js";
import { bootBoard, newFlash } from "./helpers/model.js";

const OPTS = { loopThreshold: 0, maxRecordsPerBoot: 1000 };

/** A board of 4 blocks of 4 slots of 1 KB, its flash checksumming in place or not. */
function boot(checksums: boolean): {
  flash: ReturnType<typeof newFlash>;
  b: ReturnType<typeof bootBoard>;
} {
  const flash = newFlash(NRF_4K, { checksums });
  return { flash, b: bootBoard(flash, 1024, OPTS) };
}

/** Programs into block 0 silently do nothing from now on; one oops is then recorded. What the log says after. */
function oopsIntoFailingBlock(
  flash: ReturnType<typeof newFlash>,
  b: ReturnType<typeof bootBoard>,
): { queued: boolean; written: number; lost: number; nextSlot: number; live: number[] } {
  flash.failBlock(0, { program: true, mode: "noop" });
  const queued = b.log.dump(Reason.OOPS, '{"msg":"oops"}');
  b.sched.runAll();
  const s = b.log.stats;
  return {
    queued,
    written: s.written,
    lost: s.lost,
    nextSlot: b.log.nextSlot,
    live: liveSeqs(b.log),
  };
}

describe.each([false, true])(
  "the deferred path's read-back (checksums in place: %s)",
  (checksums) => {
    it("a record whose programs do not land is not counted written, and is never listed", () => {
      const { flash, b } = boot(checksums);
      // Three slots tried, all in the failing block: the record is lost, and says so.
      expect(oopsIntoFailingBlock(flash, b)).toEqual({
        queued: true,
        written: 0,
        lost: 1,
        nextSlot: 3,
        live: [],
      });
    });

    it("a program that fails in one slot moves the record to the next slot, where it lands", () => {
      const { flash, b } = boot(checksums);
      // Block 0 full but its last slot: the oops goes to slot 3, fails there, and the job
      // erases block 1 ahead, where it lands in slot 4. Seq 4 went with the failed slot (seq -
      // slot is constant): the record is seq 5.
      for (let i = 0; i < 3; i++) b.log.panic("{}");
      expect(oopsIntoFailingBlock(flash, b)).toEqual({
        queued: true,
        written: 4,
        lost: 0,
        nextSlot: 5,
        live: [1, 2, 3, 5],
      });
    });

    it("checks through crc32 when the flash has it, and through read() when it has not", () => {
      const { flash, b } = boot(checksums);
      let crcCalls = 0;
      const crc = flash.crc32;
      if (crc)
        (flash as { crc32?: (a: number, n: number) => number }).crc32 = (a, n) => {
          crcCalls++;
          return crc(a, n);
        };
      const readsBefore = flash.stats.reads;
      b.log.dump(Reason.OOPS, "{}");
      b.sched.runAll();
      const reads = flash.stats.reads - readsBefore;
      // The record and its commit word, each read back once.
      if (checksums) expect(crcCalls).toBe(2);
      else expect(reads).toBe(2);
    });
  },
);
