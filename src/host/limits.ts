// The progress limits of a retrieval (retrieve.ts), and what a device's output says about
// what is probably on the port when no BEGIN line comes. No Node, no DOM.

import { MAX_RECORD_SIZE, MIN_RECORD_SIZE, isPowerOfTwoSize } from "./slot-size.js";

/** Output allowed before the BEGIN line: a prompt, an echo, a few console lines. */
export const PRE_BEGIN_BYTES = 32 * 1024;
/** Output allowed between two steps of progress besides one record line. */
export const NOISE_BYTES = 16 * 1024;
/** The slowest link a retrieval plans for (4800 baud): bytes per second. */
export const MIN_BYTES_PER_SECOND = 480;
/** Most slots a BEGIN line may claim: 64 MB of 64-byte slots, far beyond any board's flash. */
export const MAX_BEGIN_SLOTS = 1 << 20;

export function isOurRecordSize(n: number): boolean {
  return isPowerOfTwoSize(n) && n >= MIN_RECORD_SIZE && n <= MAX_RECORD_SIZE;
}

/** Longest REC line for a record size: base64 of the whole slot plus the fields. */
export function recordLineBytes(recordSize: number): number {
  return Math.ceil(recordSize / 3) * 4 + 128;
}

/** Time allowed for one step of progress: one record line at the slowest link, plus slack. */
export function stallLimitMs(recordSize: number, timeoutMs: number): number {
  return Math.ceil((recordLineBytes(recordSize) * 1000) / MIN_BYTES_PER_SECOND) + 2 * timeoutMs;
}

/**
 * Whether output is text: at least 85% printable ASCII or line breaks. Random bytes are about
 * 37% so, a console (even with a few escape sequences) nearly 100%.
 */
export function isMostlyText(text: string): boolean {
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++;
  }
  return text.length === 0 || printable / text.length >= 0.85;
}

const NMEA = /\$(GP|GN|GL|GA|GB|BD|QZ)[A-Z]{3},/;

/** What is probably on the port, from the output that came instead of a BEGIN line. */
export function describeUnknownOutput(text: string, port: string): string {
  const serial = !/^tcp:\/\//i.test(port);
  if (NMEA.test(text))
    return `the device at ${port} sends NMEA sentences: a GPS receiver, not an Espruino board; check the port`;
  if (!isMostlyText(text))
    return (
      `the device at ${port} sends binary data, not an Espruino console: ` +
      (serial
        ? "the wrong --baud? or another device on this port"
        : "another service on this port?")
    );
  return (
    `the device at ${port} sends text that is not an Espruino console and no MTDOOPS:BEGIN line: ` +
    "another device on this port, or the logger is not installed (mtdoops flash)" +
    (serial ? "; check the port and --baud" : "")
  );
}
