// A W25Q-like SPI NOR flash (Winbond W25Q128JV datasheet: JEDEC ID, read, page program,
// sector erase, status register) on the virtual board's SPI pins. Host-only.

import { programAligned } from "./nor-flash.js";
import type { SimulatedNorFlash } from "./nor-flash.js";

/** JEDEC ID of a Winbond W25Q128JV: manufacturer 0xEF, type 0x40, capacity 0x18 (16 MB). */
export const W25Q_JEDEC = [0xef, 0x40, 0x18];

/**
 * A W25Q-like SPI NOR flash answering whole transactions (one chip-select cycle each).
 * Chip addresses start..start+flash size are backed by the SimulatedNorFlash (4 KB sector
 * erase = one erase of its block: its eraseSize must be 4096); the rest reads 0xFF and
 * ignores programs. It starts in deep power-down: only 0xAB wakes it. Programs and erases
 * need a write enable (0x06) first, wrap within a 256-byte page as the real part does,
 * and leave the chip BUSY for the next status read.
 */
export class FakeW25Q {
  poweredDown = true;
  /** Fault injection: true makes the chip answer nothing (every byte reads 0xFF), as one unplugged or unpowered. */
  silent = false;
  private wel = false;
  private busyPolls = 0;
  /** Commands received, for tests. */
  readonly log: number[] = [];

  constructor(
    private readonly flash: SimulatedNorFlash,
    private readonly start: number,
  ) {}

  private inRange(a: number, n: number): boolean {
    return a >= this.start && a + n <= this.start + this.flash.geometry.size;
  }

  transfer(tx: Uint8Array): Uint8Array {
    const rx = new Uint8Array(tx.length).fill(0xff);
    const cmd = tx[0];
    if (cmd === undefined || this.silent) return rx;
    this.log.push(cmd);
    if (cmd === 0xab) {
      this.poweredDown = false;
      if (tx.length > 4) rx[4] = 0x17;
      return rx;
    }
    if (this.poweredDown) return rx;
    const addr = ((tx[1] ?? 0) << 16) | ((tx[2] ?? 0) << 8) | (tx[3] ?? 0);
    switch (cmd) {
      case 0xb9:
        this.poweredDown = true;
        break;
      case 0x9f:
        rx.set(W25Q_JEDEC.slice(0, tx.length - 1), 1);
        break;
      case 0x06:
        this.wel = true;
        break;
      case 0x04:
        this.wel = false;
        break;
      case 0x05: {
        const st = (this.busyPolls > 0 ? 1 : 0) | (this.wel ? 2 : 0);
        if (this.busyPolls > 0) this.busyPolls--;
        for (let i = 1; i < tx.length; i++) rx[i] = st;
        break;
      }
      case 0x03: {
        const n = tx.length - 4;
        if (n > 0 && this.inRange(addr, n)) rx.set(this.flash.read(addr - this.start, n), 4);
        break;
      }
      case 0x02: {
        if (!this.wel || this.busyPolls > 0) break;
        this.wel = false;
        this.busyPolls = 1;
        const data = tx.subarray(4);
        if (!data.length) break;
        // Bytes past the end of the 256-byte page wrap to its start (W25Q datasheet, Page Program).
        const page = addr & ~0xff;
        const first = Math.min(data.length, 256 - (addr & 0xff));
        const segs: Array<[number, Uint8Array]> = [[addr, data.subarray(0, first)]];
        if (data.length > first)
          segs.push([page, data.subarray(first, first + Math.min(256, data.length - first))]);
        for (const [a, d] of segs)
          if (this.inRange(a, d.length)) programAligned(this.flash, a - this.start, d);
        break;
      }
      case 0x20: {
        if (!this.wel || this.busyPolls > 0) break;
        this.wel = false;
        this.busyPolls = 2;
        const sector = addr & ~0xfff;
        if (this.inRange(sector, 4096)) {
          if (this.flash.geometry.eraseSize !== 4096)
            throw new Error("FakeW25Q: the backing flash must have 4 KB blocks");
          this.flash.erase(sector - this.start);
        }
        break;
      }
      default:
        break;
    }
    return rx;
  }
}
