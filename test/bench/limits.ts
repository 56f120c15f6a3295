// The physical limits the benchmarks divide by: what a flash part needs at least to
// program a record, the fewest erases a geometry allows per record, and how fast a link
// carries bytes. Host-only; bench code.

import type { FlashGeometry } from "../../src/core/flash.js";
import type { FlashPart, Timing } from "../../src/boards/parts.js";

/**
 * The time to program bytes [addr, addr + len) exactly once on `part`: one program per
 * program page the range touches (a part cannot program across a page), no erase.
 */
export function programOnceUs(
  part: FlashPart,
  g: FlashGeometry,
  addr: number,
  len: number,
  timing: Timing = "typical",
): number {
  if (!(len >= 0 && addr >= 0))
    throw new RangeError("programOnceUs: bad range " + addr + "+" + len);
  let us = 0;
  for (let a = addr; a < addr + len;) {
    const n = Math.min(addr + len - a, g.pageSize - (a % g.pageSize));
    us += part.programUs(n, timing);
    a += n;
  }
  return us;
}

/**
 * The fewest block erases per record a geometry allows: a record needs a slot, one erase
 * frees a block's slots, so in the long run 1 / (slots per block).
 */
export function minErasesPerRecord(g: FlashGeometry, recordSize: number): number {
  return recordSize / g.eraseSize;
}

/** A console link: a serial line, or BLE notifications of a few bytes per connection event. */
export type Link =
  | { kind: "serial"; name: string; baud: number; bitsPerByte: number }
  | { kind: "ble"; name: string; mtu: number; intervalMs: number };

/** 115200 baud, 8N1: ten bits on the wire per byte. */
export const SERIAL_115200: Link = {
  kind: "serial",
  name: "serial 115200 8N1",
  baud: 115200,
  bitsPerByte: 10,
};

/**
 * Espruino's Nordic UART over BLE: 20-byte notifications (the default ATT MTU of 23 less 3),
 * one per connection event at 7.5 ms, the fastest interval Espruino asks for
 * (NRF.setConnectionInterval(7.5)).
 */
export const BLE_20B: Link = {
  kind: "ble",
  name: "BLE 20-byte MTU, 7.5 ms interval",
  mtu: 20,
  intervalMs: 7.5,
};

/** The link's line rate in bytes per millisecond. */
export function lineRateBytesPerMs(link: Link): number {
  return link.kind === "serial" ? link.baud / link.bitsPerByte / 1000 : link.mtu / link.intervalMs;
}

/** Bytes the board hands to its console at a moment (ms from the start of the transfer). */
export interface OutputChunk {
  atMs: number;
  bytes: number;
}

/**
 * When the last byte of `chunks` has left the board, in ms from 0. A serial line sends
 * queued bytes back to back; BLE sends at most one notification of up to `mtu` queued
 * bytes per connection event (events at 0, interval, 2 interval, ...), a partial one when
 * fewer are queued.
 */
export function transferEndMs(link: Link, chunks: readonly OutputChunk[]): number {
  const sorted = [...chunks].filter((c) => c.bytes > 0).sort((a, b) => a.atMs - b.atMs);
  if (link.kind === "serial") {
    const perByte = 1 / lineRateBytesPerMs(link);
    let free = 0; // when the line is free
    for (const c of sorted) free = Math.max(free, c.atMs) + c.bytes * perByte;
    return free;
  }
  let queued = 0;
  let i = 0;
  let end = 0;
  for (let event = 0; i < sorted.length || queued > 0; event++) {
    const t = event * link.intervalMs;
    while (i < sorted.length && sorted[i]!.atMs <= t) queued += sorted[i++]!.bytes;
    if (queued > 0) {
      queued -= Math.min(link.mtu, queued);
      end = t + link.intervalMs; // the notification occupies the event
    } else if (i < sorted.length) {
      // idle until the next chunk is queued
      event = Math.max(event, Math.ceil(sorted[i]!.atMs / link.intervalMs) - 1);
    }
  }
  return end;
}

/** The time `bytes` take at the link's line rate, in ms. */
export function lineTimeMs(link: Link, bytes: number): number {
  return bytes / lineRateBytesPerMs(link);
}
