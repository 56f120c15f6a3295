// The "spinor" backend: an external SPI NOR flash (W25Q family and compatibles) through a
// software SPI on the board file's pins, partition at board.start .. +board.size (chip
// addresses). Commands (W25Q datasheet; Espruino's own SPI-flash driver uses the same):
// 0xAB release from deep power-down, 0x9F JEDEC ID, 0x06 write enable, 0x05 status
// (bit 0 BUSY), 0x20 4 KB sector erase, 0x02 page program (at most 256 bytes, never
// across a 256-byte page: the chip would wrap), 0x03 read. 24-bit addresses.
// Every program and erase is read back (the chip reports no failure). Device code.

import { boardGeometry } from "../src/boards/geometry.js";
import type { BoardDefinition } from "../src/boards/schema.js";
import { flashError } from "../src/core/flash.js";
import type { Flash } from "../src/core/flash.js";
import { checkLanded, checkRange } from "./flash-util.js";

/** Opens the partition; `bus` replaces the software SPI (tests). Throws EIO when no chip answers. */
export function spiNorFlash(b: BoardDefinition, bus?: SPI): Flash {
  const p = b.spi;
  if (!p) throw flashError("EINVAL", "board " + b.id + " has no spi pins");
  const spi = bus || new SPI();
  spi.setup({ sck: p.sck, miso: p.miso, mosi: p.mosi, baud: p.baud });
  const g = boardGeometry(b);
  if (g.eraseSize % 4096)
    throw flashError("EINVAL", "SPI NOR erase size must be a multiple of the 4 KB sector");
  const tx = (d: Uint8Array): Uint8Array => spi.send(d, p.cs);
  const one = (c: number): void => {
    tx(new Uint8Array([c]));
  };
  // A command with a 24-bit address followed by `n` more bytes (data or dummies).
  const cmd = (c: number, a: number, n: number): Uint8Array => {
    const x = new Uint8Array(4 + n);
    a += b.start;
    x[0] = c;
    x[1] = a >> 16;
    x[2] = a >> 8;
    x[3] = a;
    return x;
  };
  const wait = (): void => {
    const st = new Uint8Array([5, 0]);
    for (let i = 0; i < 100000; i++) if (!((tx(st)[1] as number) & 1)) return;
    throw flashError("EIO", "SPI flash stays busy");
  };
  one(0xab);
  const id = tx(new Uint8Array([0x9f, 0, 0, 0]));
  if (id[1] === 0 || id[1] === 255)
    throw flashError("EIO", "no SPI flash answers (JEDEC ID " + id[1] + ")");
  const read = (a: number, n: number): Uint8Array => {
    checkRange(g, a, n, 1, 0);
    return tx(cmd(3, a, n)).subarray(4);
  };
  const f: Flash = {
    geometry: g,
    read: read,
    program: (a: number, d: Uint8Array): void => {
      checkRange(g, a, d.length, g.progUnit, Math.min(g.pageSize, 256));
      if (!d.length) return;
      const x = cmd(2, a, d.length);
      x.set(d, 4);
      one(6);
      tx(x);
      wait();
      checkLanded(f, a, d.length, d);
    },
    erase: (a: number): void => {
      checkRange(g, a, g.eraseSize, g.eraseSize, 0);
      for (let s = 0; s < g.eraseSize; s += 4096) {
        one(6);
        tx(cmd(0x20, a + s, 0));
        wait();
      }
      checkLanded(f, a, g.eraseSize, null);
    },
  };
  return f;
}
