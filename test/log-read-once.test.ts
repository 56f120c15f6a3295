// A retrieval reads each record once (src/core/log-read.ts): the listing checks a record's
// CRC on one read of its bytes, and those bytes are what a dump sends (firmware/read.ts) and
// what readRaw returns. A second read for the bytes doubled a retrieval's flash reads, and
// could return bytes other than the ones whose CRC passed.

import { describe, expect, it } from "vitest";
import { HEADER_SIZE, OFF_CRC_START, Reason } from "../src/core/record.js";
import { NRF_4K } from "./helpers/log-fixture.js";
import { bootBoard, bytesEqual, list, newFlash, peekRecord } from "./helpers/model.js";

const OPTS = { loopThreshold: 0, maxRecordsPerBoot: 1000 };

function boardWith(records: number): {
  flash: ReturnType<typeof newFlash>;
  log: ReturnType<typeof bootBoard>["log"];
} {
  const flash = newFlash(NRF_4K);
  const b = bootBoard(flash, 1024, OPTS);
  for (let i = 0; i < records; i++) {
    b.log.dump(Reason.OOPS, '{"msg":"oops ' + i + '"}' + "x".repeat(i * 40));
    b.sched.runAll();
  }
  return { flash, log: b.log };
}

describe("a retrieval reads each record once", () => {
  it("the listing reads each slot's header and each record's bytes once, and hands over those bytes", () => {
    const b = boardWith(6);
    const flash = b.flash;
    flash.resetStats();
    const visited = list(b.log, false);
    const stats = flash.stats;
    expect(visited.map((r) => r.record.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const recordBytes = visited.reduce((n, r) => n + HEADER_SIZE + r.record.payloadLength, 0);
    // One header read per slot, then one read of each committed record.
    expect(stats.readBytes).toBe(b.log.slots * HEADER_SIZE + recordBytes);
    for (const r of visited) {
      const stored = flash.peek(r.slot * 1024, HEADER_SIZE + r.record.payloadLength);
      expect(bytesEqual(r.bytes, stored)).toBe(true);
      expect(peekRecord(flash, 1024, r.slot)?.seq).toBe(r.record.seq);
    }
  });

  it("readRaw returns the bytes readValid checked, in one read of the record", () => {
    const b = boardWith(3);
    const flash = b.flash;
    const slot = list(b.log, false)[2]?.slot as number;
    const payloadLength = peekRecord(flash, 1024, slot)?.payloadLength as number;
    flash.resetStats();
    const raw = b.log.readRaw(slot);
    expect(flash.stats.readBytes).toBe(2 * HEADER_SIZE + payloadLength);
    expect(raw && bytesEqual(raw, flash.peek(slot * 1024, HEADER_SIZE + payloadLength))).toBe(true);
  });

  it("under read flips, the bytes handed over are the stored ones wherever the CRC covers them", () => {
    const b = boardWith(8);
    b.flash.readFlips({ probability: 0.5 });
    for (let round = 0; round < 40; round++)
      for (const r of list(b.log, false)) {
        const again = peekRecord(b.flash, 1024, r.slot);
        expect(again?.seq).toBe(r.record.seq);
        // A flip that lengthened the header's payloadLength before the record's read makes
        // that read longer: the bytes are still the record's own.
        expect(r.bytes.length).toBe(HEADER_SIZE + (again?.payloadLength ?? -1));
        // Offsets 0 to 23 (the commit and freed words, the magic, the CRC itself) are
        // outside the CRC (SPEC.md §2): a flip there is the header checks' to catch.
        const stored = b.flash.peek(r.slot * 1024, r.bytes.length);
        expect(bytesEqual(r.bytes.subarray(OFF_CRC_START), stored.subarray(OFF_CRC_START))).toBe(
          true,
        );
      }
  });
});
