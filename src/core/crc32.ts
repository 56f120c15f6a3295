// CRC-32 as zlib and Espruino's E.CRC32 compute it: reflected, polynomial 0xEDB88320,
// initial value and final XOR 0xFFFFFFFF. crc32("123456789") === 0xCBF43926.
//
// The host's CRC-32 (the CLI, the decoders, the simulator, the tests). Not the board's: the
// firmware passes E.CRC32 (native) to the log, and the build drops this function from the
// bundles (MTDOOPS_DEVICE in log-core.ts). Table-driven, because the host runs it over
// every record of every property and power-loss run; the table (1 KB) is built on first use.

export type Crc32 = (data: Uint8Array) => number;

let table: Uint32Array | null = null;

function crcTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

export function crc32(data: Uint8Array): number {
  if (!table) table = crcTable();
  const t = table;
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++)
    crc = (t[(crc ^ (data[i] as number)) & 255] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
