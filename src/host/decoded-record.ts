// The shape every decoder and retriever hands to the user (CLI --json, the page, the
// archive index). One shape for records of both origins, so tools downstream need one parser.

export type RecordOrigin = "espruino-mtdoops" | "linux-mtdoops";

export interface DecodedRecord {
  /** Where the record came from. */
  origin: RecordOrigin;
  /** 32-bit sequence number (unsigned). */
  seq: number;
  /** Dump reason name: "panic", "oops", "errorflag", "reboot", "shutdown"; "unknown" when not stored (Linux mtdoops). */
  reason: string;
  /** Wall-clock time of the dump as ISO-8601 (UTC), or null when the record has none. */
  time: string | null;
  /** The console text the record holds (decoded as UTF-8, invalid bytes replaced). */
  text: string;
  /** Slot index in the partition (byte offset / record size). */
  slot: number;
  /** Byte offset of the slot in the image. */
  offset: number;
  /** Extra fields of the origin's format (boot, uptimeMs, context, flags, header version ...). */
  [extra: string]: unknown;
}
