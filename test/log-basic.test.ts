import { describe, expect, it } from "vitest";
import { Reason, splitPayload } from "../src/core/record.js";
import { NOR_4K, NRF_4K, liveSeqs, text } from "./helpers/log-fixture.js";
import { bootBoard, newFlash } from "./helpers/model.js";

describe("CrashLog write paths", () => {
  it("starts empty and writes a panic synchronously", () => {
    const b = bootBoard(newFlash(NOR_4K), 1024);
    expect(liveSeqs(b.log)).toEqual([]);
    b.ring.write("hello console\r\n");
    expect(b.log.panic('{"msg":"boom"}')).toBe(true);
    // No job needed: the record is on flash when panic returns.
    const recs: string[] = [];
    b.log.forEach((r) => {
      const p = splitPayload(r.record.payload)!;
      recs.push(text(p.context) + "|" + text(p.console));
      expect(r.record.reason).toBe(Reason.PANIC);
      expect(r.record.seq).toBe(1);
    });
    expect(recs).toEqual(['{"msg":"boom"}|hello console\r\n']);
  });

  it("writes an oops only when its job runs, with the console as it was at the dump", () => {
    const b = bootBoard(newFlash(NOR_4K), 1024);
    b.ring.write("before\n");
    expect(b.log.dump(Reason.OOPS, "{}")).toBe(true);
    b.ring.write("after\n");
    expect(liveSeqs(b.log)).toEqual([]);
    b.sched.runAll();
    const texts: string[] = [];
    b.log.forEach((r) => texts.push(text(splitPayload(r.record.payload)!.console)));
    expect(texts).toEqual(["before\n"]);
  });

  it("keeps records across reboots, continuing seq and boot", () => {
    const flash = newFlash(NRF_4K);
    let b = bootBoard(flash, 1024);
    b.log.panic("{}");
    b.log.dump(Reason.OOPS, "{}");
    b.sched.runAll();
    b = bootBoard(flash, 1024);
    expect(b.log.boot).toBe(2);
    expect(b.log.nextSeq).toBe(3);
    b.log.panic("{}");
    expect(liveSeqs(b.log)).toEqual([1, 2, 3]);
  });

  it("wraps around the partition many times, keeping the newest records", () => {
    const flash = newFlash(NRF_4K); // 16 slots of 1 KB, 4 per block
    const opts = { maxRecordsPerBoot: 1000, loopThreshold: 0 };
    let b = bootBoard(flash, 1024, opts);
    for (let i = 0; i < 100; i++) {
      b.log.dump(Reason.OOPS, '{"i":' + i + "}");
      b.sched.runAll();
      if (i % 7 === 0) b = bootBoard(flash, 1024, opts);
    }
    const seqs = liveSeqs(b.log);
    expect(seqs[seqs.length - 1]).toBe(100);
    // The block after the newest record is kept erased: 3 blocks of 4 slots hold history.
    expect(seqs.length).toBeGreaterThanOrEqual(12);
    expect(seqs).toEqual(seqs.slice().sort((a, c) => a - c));
  });
});
