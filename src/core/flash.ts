// The flash device interface: the only way the log touches storage.
//
// This module is device code: it is bundled into the firmware that Espruino runs, so it
// uses only what the interpreter has (see docs/DIALECT.md). It knows neither Espruino's
// globals nor Node.
//
// The interface is synchronous on purpose. Espruino's Flash calls block and return no
// result, and a panic cannot wait for a callback: the record must be on flash before the
// panic handler returns.

/** Shape of a flash partition. All addresses passed to a Flash are relative to its start. */
export interface FlashGeometry {
  /** Bytes in the partition: a whole number of erase blocks. */
  readonly size: number;
  /** Bytes set to `erasedValue` by one `erase`: a power of two. */
  readonly eraseSize: number;
  /**
   * Program unit: a program's address and length are multiples of it (1, 2, 4 or 8).
   * Each unit may be programmed once per erase; the log never programs a unit twice.
   */
  readonly progUnit: number;
  /**
   * Program page: one program may not cross a multiple of it (256 on SPI NOR; the erase
   * size on internal flash that has no such limit). A multiple of `progUnit`.
   */
  readonly pageSize: number;
  /** Value of every byte after an erase: 0xFF on NOR flash. */
  readonly erasedValue: number;
}

/**
 * A flash partition.
 *
 * Contract (every implementation, tested by test/flash-contract.test.ts):
 * - `read(addr, len)` returns a new array of `len` bytes; it may be called at any address
 *   and length inside the partition. A read may return flipped bits (worn or disturbed
 *   cells): callers check data with a CRC before trusting it.
 * - `program(addr, data)` ANDs `data` into flash: a program can only clear bits (1 -> 0).
 *   `addr` and `data.length` are multiples of `progUnit`, the range lies inside one
 *   `pageSize` page, and its units must still be erased (programming a unit twice is
 *   outside the contract; a strict implementation refuses it).
 * - `erase(addr)` sets the whole block at `addr` (a multiple of `eraseSize`) to `erasedValue`.
 * - Misuse (a range outside the partition, misalignment, a page crossing) throws a
 *   FlashError with code "EINVAL". A failure of the medium throws code "EIO"; the
 *   operation may then have changed any bits of the range it was given, and of nothing else.
 *   An implementation that cannot detect a failure (Espruino's Flash reports none) reads
 *   back what it wrote or erased and reports a mismatch as "EIO", unless something it
 *   relies on checks for it: the Storage-file backend (firmware/flash-storage.ts) reads back
 *   neither, since Storage refuses a write into bytes that are not erased and makes new
 *   files in space it keeps erased. The log does not count on the read-back either: it
 *   reads back each block it erases and each record its deferred path writes (a medium
 *   that fails silently, as the simulator's "noop" blocks do, is caught there).
 * - Nothing is cached: once a call returns, its effect is on the medium (it survives a
 *   power cut), and a power cut during a call may leave its range in any state.
 * - `crc32(addr, len)`, where a backend has it, returns the CRC-32 (crc32.ts, E.CRC32) of
 *   the bytes `read(addr, len)` would return, with the same range rules and errors. The
 *   log checks what it wrote and what it erased by CRC (log-core.ts), and a backend that
 *   can checksum the medium where it lies saves the copy into a new array: the Storage
 *   backend passes the block file's own string to E.CRC32, which on the Linux build took a
 *   recorded crash's two read-backs from about 1.1 L to 0.8 L (docs/FOOTPRINT.md).
 */
export interface Flash {
  readonly geometry: FlashGeometry;
  read(addr: number, len: number): Uint8Array;
  program(addr: number, data: Uint8Array): void;
  erase(addr: number): void;
  crc32?(addr: number, len: number): number;
}

export type FlashErrorCode = "EINVAL" | "EIO";

/**
 * An error thrown by a Flash. A plain Error with a `code`: Espruino cannot subclass Error
 * (`extends Error` fails on the interpreter), so callers test `code`, not `instanceof`.
 */
export interface FlashError extends Error {
  code: FlashErrorCode;
}

export function flashError(code: FlashErrorCode, message: string): FlashError {
  const error = new Error(message) as FlashError;
  error.code = code;
  return error;
}

export function isFlashError(value: unknown): value is FlashError {
  return (
    typeof value === "object" &&
    value !== null &&
    ((value as FlashError).code === "EIO" || (value as FlashError).code === "EINVAL")
  );
}

/**
 * Checks a geometry against the rules above; returns "<field> <what is wrong>", naming the
 * first bad field, or "" when the geometry is usable. The one geometry check: the log
 * (validateLogOptions), the simulated flash and, through checkPartition, the board loader
 * (src/boards/load.ts) all use it.
 */
export function checkGeometry(g: FlashGeometry): string {
  const pow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
  if (!pow2(g.eraseSize)) return "eraseSize must be a power of two, got " + g.eraseSize;
  if (!(g.progUnit === 1 || g.progUnit === 2 || g.progUnit === 4 || g.progUnit === 8))
    return "progUnit must be 1, 2, 4 or 8, got " + g.progUnit;
  if (!pow2(g.pageSize) || g.pageSize % g.progUnit !== 0 || g.pageSize > g.eraseSize)
    return (
      "pageSize must be a power of two, a multiple of progUnit (" +
      g.progUnit +
      ") and at most eraseSize (" +
      g.eraseSize +
      "), got " +
      g.pageSize
    );
  if (!(g.size > 0) || g.size % g.eraseSize !== 0)
    return "size must be a positive multiple of eraseSize (" + g.eraseSize + "), got " + g.size;
  if (!(g.erasedValue >= 0 && g.erasedValue <= 255 && Math.floor(g.erasedValue) === g.erasedValue))
    return "erasedValue must be a byte value, got " + g.erasedValue;
  return "";
}

/**
 * Checks a log partition: a usable geometry (checkGeometry), at least 2 erase blocks (one is
 * erased ahead of the writer while the other keeps the records), and a record size that is
 * a power of two from 64 to the erase size (at most 65536). Returns "<field> <what is
 * wrong>" or "". The board loader checks boards/<id>.json with it.
 */
export function checkPartition(g: FlashGeometry, recordSize: number): string {
  const bad = checkGeometry(g);
  if (bad) return bad;
  if (g.size / g.eraseSize < 2)
    return "size must hold at least 2 erase blocks of " + g.eraseSize + " bytes, got " + g.size;
  const maxRecord = Math.min(g.eraseSize, 65536);
  if (!(recordSize >= 64 && recordSize <= maxRecord && (recordSize & (recordSize - 1)) === 0))
    return "recordSize must be a power of two from 64 to " + maxRecord + ", got " + recordSize;
  return "";
}
