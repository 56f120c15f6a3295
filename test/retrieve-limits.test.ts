// Retrieval against devices that never stop talking (test/hardening/devices.ts) on a manual
// clock: each ends within its limits with the message that says what is probably wrong,
// saves nothing corrupt, and reports what it kept. Ctrl-C (the AbortSignal) stops at once.

import { describe, expect, it } from "vitest";
import { RetrieveError, retrieve } from "../src/host/retrieve.js";
import type { RetrieveOptions } from "../src/host/retrieve.js";
import { PipeTransport } from "../src/host/transport.js";
import { DEVICE_KINDS, EXPECT, ScriptedDevice, boardRecords } from "./hardening/devices.js";
import type { DeviceKind } from "./hardening/devices.js";
import { ManualClock, runOnClock } from "./helpers/manual-clock.js";

function connectTo(device: ScriptedDevice): () => Promise<PipeTransport> {
  return async () => {
    let off: (() => void) | null = null;
    const t = new PipeTransport(
      "scripted",
      (text) => device.input(text),
      () => off?.(),
    );
    off = device.onOutput((text) => t.receive(text));
    return t;
  };
}

async function retrieveFrom(kind: DeviceKind, seed: number, extra: Partial<RetrieveOptions> = {}) {
  const clock = new ManualClock();
  const device = new ScriptedDevice(kind, seed, clock);
  const saved = new Map<number, Uint8Array>();
  const p = retrieve({
    connect: connectTo(device),
    port: "tcp://scripted:1",
    clock,
    sink: {
      async save(record, raw) {
        saved.set(record.seq, raw);
        return "mem://" + record.seq;
      },
    },
    ...extra,
  });
  const run = await runOnClock(clock, p, 120_000);
  device.stop();
  return { run, saved, clock };
}

describe("retrieval limits: devices that keep talking end with the right message", () => {
  for (const kind of DEVICE_KINDS) {
    it(kind, async () => {
      const want = EXPECT[kind];
      const { run, saved } = await retrieveFrom(kind, 1);
      expect(run.settled, `${kind}: still running after 120 s of clock time`).toBe(true);
      if (want.code === null) {
        expect(run.error).toBeUndefined();
      } else {
        expect(run.error).toBeInstanceOf(RetrieveError);
        const e = run.error as RetrieveError;
        expect(e.code, e.message).toBe(want.code);
        expect(e.message).toMatch(want.message);
        expect([...e.message].some((c) => c.charCodeAt(0) < 0x20 || c === "\x7f")).toBe(false);
        expect(e.saved).toEqual(want.saved);
        if (want.missing) expect(e.missing).toEqual(want.missing);
      }
      expect([...saved.keys()].sort()).toEqual(want.saved);
      const truth = new Map(boardRecords().map((r) => [r.seq, r.raw]));
      for (const [seq, raw] of saved) expect(raw).toEqual(truth.get(seq));
    });
  }

  it("an abort (Ctrl-C) ends a retrieval against an endless console at once, saying what was kept", async () => {
    const ac = new AbortController();
    const clock = new ManualClock();
    const device = new ScriptedDevice("console-loop", 1, clock);
    const p = retrieve({
      connect: connectTo(device),
      port: "tcp://scripted:1",
      clock,
      signal: ac.signal,
      sink: { save: async () => "x" },
    });
    const first = await runOnClock(clock, p, 500);
    expect(first.settled).toBe(false);
    ac.abort();
    const after = await runOnClock(clock, p, 10);
    device.stop();
    expect(after.settled).toBe(true);
    expect((after.error as RetrieveError).code).toBe("EINTR");
    expect((after.error as Error).message).toBe(
      "interrupted: no record was saved, nothing was cleared on the board",
    );
  });

  it("the overall deadline ends a retrieval that makes slow progress", async () => {
    const { run } = await retrieveFrom("trickle", 1, {
      deadlineMs: 3000,
      beginWithinMs: 60_000,
      timeoutMs: 60_000,
    });
    expect((run.error as RetrieveError).code).toBe("EDEADLINE");
    expect((run.error as Error).message).toMatch(
      /did not finish within 3 s .*no MTDOOPS:BEGIN line/,
    );
    expect(run.ms).toBeLessThanOrEqual(3100);
  });
});
