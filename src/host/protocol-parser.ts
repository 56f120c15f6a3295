// The host's side of the console protocol (SPEC.md §7): turns the lines a board prints with
// src/core/protocol.ts's `format*` functions back into events, checking every field and the
// transport CRC. Host-only (the CLI, the web page, the virtual board's host end): it calls
// String.prototype.search, which Espruino's interpreter does not have (docs/DIALECT.md,
// `missing-method`), so it stays out of the device core.

import type { Crc32 } from "../core/crc32.js";
import { TAG } from "../core/protocol.js";
import type { BeginInfo } from "../core/protocol.js";
import { unpadded } from "../core/record.js";

export interface ProtocolRecord {
  seq: number;
  slot: number;
  /** The record's bytes from slot offset 0, transport CRC checked. */
  raw: Uint8Array;
}

export type ProtocolEvent =
  | { type: "begin"; info: BeginInfo }
  | { type: "record"; record: ProtocolRecord }
  | { type: "end"; count: number }
  | { type: "cleared"; count: number }
  | { type: "error"; message: string }
  /** A protocol line that failed its checks (line noise, a cut line); the retrieval resumes. */
  | { type: "corrupt"; line: string; why: string };

export interface ParserDeps {
  crc32: Crc32;
  fromBase64: (text: string) => Uint8Array;
  /** heatshrink decompression for encoding "h"; without it such records are corrupt. */
  decompress?: (data: Uint8Array) => Uint8Array;
}

const DEC = /^[0-9]+$/;
const HEX8 = /^[0-9a-f]{8}$/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Splits console bytes into lines and turns protocol lines into events; other output is
 * ignored. Feed it text as it arrives, in any pieces.
 */
export class ProtocolParser {
  private buffer = "";
  private readonly deps: ParserDeps;

  constructor(deps: ParserDeps) {
    this.deps = deps;
  }

  push(text: string): ProtocolEvent[] {
    this.buffer += text;
    const events: ProtocolEvent[] = [];
    let nl = this.buffer.search(/[\r\n]/);
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const ev = this.parseLine(line);
      if (ev) events.push(ev);
      nl = this.buffer.search(/[\r\n]/);
    }
    // A runaway line without an end cannot be ours beyond the largest record.
    if (this.buffer.length > 200_000) this.buffer = this.buffer.slice(-100_000);
    return events;
  }

  parseLine(line: string): ProtocolEvent | null {
    const at = line.indexOf(TAG);
    if (at < 0) return null;
    const body = line.slice(at + TAG.length).trim();
    const f = body.split(" ");
    const kind = f[0];
    const num = (i: number): number => (f[i] !== undefined && DEC.test(f[i]) ? Number(f[i]) : NaN);
    const corrupt = (why: string): ProtocolEvent => ({
      type: "corrupt",
      line: line.slice(0, 200),
      why,
    });
    if (kind === "BEGIN") {
      const info = {
        version: num(1),
        board: f[2] ?? "",
        recordSize: num(3),
        slots: num(4),
        boot: num(5),
        nextSeq: num(6),
      };
      if (
        f.length !== 7 ||
        [info.version, info.recordSize, info.slots, info.boot, info.nextSeq].some(Number.isNaN)
      )
        return corrupt("malformed BEGIN line");
      return { type: "begin", info };
    }
    if (kind === "END")
      return f.length === 2 && !Number.isNaN(num(1))
        ? { type: "end", count: num(1) }
        : corrupt("malformed END line");
    if (kind === "CLEARED")
      return f.length === 2 && !Number.isNaN(num(1))
        ? { type: "cleared", count: num(1) }
        : corrupt("malformed CLEARED line");
    if (kind === "ERROR") return { type: "error", message: body.slice(6) };
    if (kind === "REC") {
      if (f.length !== 7) return corrupt("REC line has " + f.length + " fields, expected 7");
      const seq = num(1);
      const slot = num(2);
      const length = num(3);
      const crcHex = f[4] ?? "";
      const enc = f[5];
      const data = f[6] ?? "";
      if ([seq, slot, length].some(Number.isNaN) || seq > 0xffffffff || !HEX8.test(crcHex))
        return corrupt("malformed REC fields");
      if (!B64.test(data) || data.length % 4 !== 0) return corrupt("REC data is not base64");
      let raw: Uint8Array;
      try {
        raw = this.deps.fromBase64(data);
        if (enc === "h") {
          if (!this.deps.decompress) return corrupt("compressed REC without a decompressor");
          raw = this.deps.decompress(raw);
        } else if (enc !== "b") return corrupt("unknown REC encoding " + enc);
      } catch (e) {
        return corrupt("REC data does not decode: " + (e instanceof Error ? e.message : String(e)));
      }
      // A compressed line may carry the board's byte of padding (unpadded()).
      const got = enc === "h" ? unpadded(raw, length) : raw.length === length ? raw : null;
      if (!got) return corrupt("REC length " + raw.length + ", expected " + length);
      raw = got;
      if (this.deps.crc32(raw) >>> 0 !== parseInt(crcHex, 16)) return corrupt("REC CRC mismatch");
      return { type: "record", record: { seq, slot, raw } };
    }
    return corrupt("unknown line kind " + kind);
  }
}
