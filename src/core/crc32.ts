// CRC-32 as zlib and Espruino's E.CRC32 compute it: reflected, polynomial 0xEDB88320,
// initial value and final XOR 0xFFFFFFFF. crc32("123456789") === 0xCBF43926.
//
// Device code. Bitwise, without a table: the table would cost 1 KB of RAM on a board with
// 30 KB, and on the board the platform passes E.CRC32 (native) to the log instead.

export type Crc32 = (data: Uint8Array) => number;

export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i] as number;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
