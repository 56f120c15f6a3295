// CRC-32 as zlib and Espruino's E.CRC32 compute it: reflected, polynomial 0xEDB88320,
// initial value and final XOR 0xFFFFFFFF. crc32("123456789") === 0xCBF43926.
//
// The host's CRC-32 (the CLI, the decoders, the simulator, the tests). Not the board's: the
// firmware passes E.CRC32 (native) to the log, and the build drops this function from the
// bundles (MTDOOPS_DEVICE in log-core.ts). Table-driven, because the host runs it over
// every record of every property and power-loss run; the table (1 KB) is built on first use.

export type Crc32 = (data: Uint8Array) => number;

let table: Uint32Array | null = null;

/**
 * The byte-at-a-time table of the polynomial (256 entries, 1 KB), built on first use.
 * src/host/crc-index.ts runs its prefix registers on it too.
 */
export function crc32Table(): Uint32Array {
  if (!table) {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      t[n] = c >>> 0;
    }
    table = t;
  }
  return table;
}

export function crc32(data: Uint8Array): number {
  const t = crc32Table();
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++)
    crc = (t[(crc ^ (data[i] as number)) & 255] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
