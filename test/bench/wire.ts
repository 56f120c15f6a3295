// Retrieval on the wire: bytes on the console link per byte of console text retrieved, and
// the retrieval's time on a modelled link against its wire bytes at line rate. Measured on
// the virtual board, which runs the firmware's own dump path (firmware/read.ts) and
// protocol (src/core/protocol.ts) unchanged over a simulated flash; the console it fills is
// the realistic log of console-log.ts. Host-only; bench code.

import type { BoardDefinition } from "../../src/boards/schema.js";
import { commands } from "../../src/core/protocol.js";
import { openRecord, VirtualBoard } from "../../src/sim/virtual-board.js";
import { consoleLog } from "./console-log.js";
import type { Link, OutputChunk } from "./limits.js";
import { lineTimeMs, transferEndMs } from "./limits.js";

export interface WireFigures {
  board: string;
  records: number;
  /** Console text bytes in the records retrieved. */
  logBytes: number;
  /** Bytes on the link for a whole retrieval (the command and every line the board printed). */
  plainWireBytes: number;
  compressedWireBytes: number;
  /** The board's output of each retrieval, timed on its simulated clock (ms from the command). */
  plainChunks: OutputChunk[];
  compressedChunks: OutputChunk[];
  plainCommandBytes: number;
  compressedCommandBytes: number;
}

/** Fills the board's partition with crash records the way an app would, then retrieves it twice. */
export function measureWire(board: BoardDefinition, seed: number): WireFigures {
  const vb = new VirtualBoard({ board, installFirmware: true, seed });
  const slots = board.size / board.recordSize;
  let crash = 0;
  for (let bootNo = 0; crash < slots; bootNo++) {
    if (bootNo === 0) vb.boot();
    else vb.reboot("soft");
    vb.advance(40_000); // past the crash-loop window
    for (let i = 0; i < 6 && crash < slots; i++, crash++) {
      const text = consoleLog(seed * 1000 + crash, board.ringSize);
      // The app prints its log line by line, then dies of an uncaught error.
      for (const line of text.split("\r\n").filter((l) => l.length > 0))
        vb.eval("print(" + JSON.stringify(line) + ")");
      vb.eval("setTimeout(function(){ var s; s.x = 1; }, 10)");
      vb.advance(5_000);
    }
  }
  vb.takeOutput();
  const run = (
    compress: boolean,
  ): { bytes: number; chunks: OutputChunk[]; cmd: number; log: number; n: number } => {
    const chunks: OutputChunk[] = [];
    const t0 = vb.now();
    let bytes = 0;
    const listen = (t: string): void => {
      const n = Buffer.byteLength(t, "latin1");
      bytes += n;
      chunks.push({ atMs: vb.now() - t0, bytes: n });
    };
    vb.onOutput(listen);
    const r = vb.retrieve(-1, compress);
    vb.offOutput(listen);
    if (r.error !== undefined || r.end === undefined)
      throw new Error("bench: retrieval on " + board.id + " failed: " + (r.error ?? "no END"));
    let log = 0;
    for (const rec of r.records) log += openRecord(rec.raw, board.recordSize).console.length;
    return { bytes, chunks, cmd: commands.dump(-1, compress).length, log, n: r.records.length };
  };
  const plain = run(false);
  const packed = run(true);
  vb.close();
  return {
    board: board.id,
    records: plain.n,
    logBytes: plain.log,
    plainWireBytes: plain.bytes + plain.cmd,
    compressedWireBytes: packed.bytes + packed.cmd,
    plainChunks: plain.chunks,
    compressedChunks: packed.chunks,
    plainCommandBytes: plain.cmd,
    compressedCommandBytes: packed.cmd,
  };
}

/**
 * A retrieval's time on `link` over its wire bytes at line rate: the command goes out at
 * line rate, the board's lines leave as the board prints them (at their simulated times,
 * after the command arrived), the last byte ends the retrieval.
 */
export function retrievalTimeRatio(
  link: Link,
  commandBytes: number,
  chunks: readonly OutputChunk[],
): number {
  const cmdMs = transferEndMs(link, [{ atMs: 0, bytes: commandBytes }]);
  const out = transferEndMs(
    link,
    chunks.map((c) => ({ atMs: c.atMs, bytes: c.bytes })),
  );
  const wire = commandBytes + chunks.reduce((s, c) => s + c.bytes, 0);
  return (cmdMs + out) / lineTimeMs(link, wire);
}
