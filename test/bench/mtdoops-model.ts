// A model of Linux's mtdoops (drivers/mtd/mtdoops.c, the v6.x driver with the 16-byte v2
// header and the erase in panic context) over the same Flash interface our log uses, so the
// benchmarks can run both on the same simulated chip. Host-only; bench code.
//
// What it reproduces, function by function of the kernel file:
// - mtdoops_notify_add: refuses a partition smaller than two erase blocks, an erase block
//   smaller than record_size, or more than MTDOOPS_MAX_MTD_SIZE (8 MiB); then runs
//   find_next_position.
// - find_next_position: reads the 16-byte header of EVERY slot (one read per slot), marks a
//   slot unused only when seq and magic are both 0xffffffff, picks the newest seq with the
//   kernel's quarter-space wrap rule, then mtdoops_inc_counter(cxt, 0). So once the ring is
//   full, the slot after the newest is used and its block is erased by the erase work at
//   every boot, crash or no crash.
// - mtdoops_do_dump: an oops is dropped unless dump_oops; the console's youngest whole lines
//   that fit in record_size - 16 are copied into the one shared oops_buf
//   (kmsg_dump_get_buffer); a panic is written at once (mtdoops_write(cxt, 1)), an oops by
//   the write work (schedule_work: a work item already pending is not queued twice, so a
//   second oops before the work runs replaces the first in oops_buf).
// - mtdoops_write: programs the WHOLE record_size (header, text, 0xFF tail) at the slot,
//   never checks that the slot is erased, marks the slot used whatever the write returned,
//   refills oops_buf with 0xFF, and calls mtdoops_inc_counter(cxt, panic).
// - mtdoops_inc_counter: next slot and seq (seq skips 0xffffffff); if the next slot is used,
//   erase it at once on a panic (mtdoops_erase), else schedule the erase work.
// - mtdoops_erase: moves to the start of the next block if the slot is mid-block, erases the
//   block (up to 3 tries, mtdoops_erase_block), marks all its slots unused; on failure moves
//   a block on (NOR has no bad-block table: mtd_block_isbad is 0, mtd_block_markbad
//   -EOPNOTSUPP) until every block has been tried ("all blocks bad!").
//
// Two liberties, both in mtdoops's favour or neutral, so the comparison is fair:
// - record_size may be any power of two up to the erase size (the kernel's mtdoops_init
//   wants a multiple of 4096): the model then runs the same slot geometry as our log on
//   boards with 1-2 KB records.
// - the MTD driver is assumed to have _panic_write (without it mtd_panic_write returns
//   -EOPNOTSUPP and every panic is lost). mtd_write is split at the part's program page,
//   as the SPI NOR layer does.

import type { Flash } from "../../src/core/flash.js";
import { isFlashError } from "../../src/core/flash.js";

export const MTDOOPS_MAGIC_V1 = 0x5d005d00;
export const MTDOOPS_MAGIC_V2 = 0x5d005e00;
export const MTDOOPS_HEADER_SIZE = 16;
export const MTDOOPS_MAX_MTD_SIZE = 8 * 1024 * 1024;

export type KmsgDumpReason = "panic" | "oops";

export interface MtdoopsModelOptions {
  /** The whole MTD partition. */
  flash: Flash;
  /** record_size: a power of two up to the erase size. */
  recordSize: number;
  /** The dump_oops parameter (kernel default 1). */
  dumpOops?: boolean;
  /** ktime_get_real() in nanoseconds; default 0. */
  nowNs?: () => bigint;
  /** Called when a record's mtd_write / mtd_panic_write returns (the record is on flash). */
  onRecordWritten?: (page: number) => void;
}

export interface MtdoopsStats {
  /** Header reads by find_next_position (one per slot not in a bad block). */
  headerReads: number;
  /** Records written (mtdoops_write calls that reached mtd_write / mtd_panic_write). */
  writes: number;
  /** Bytes handed to mtd_write / mtd_panic_write. */
  writeBytes: number;
  /** Block erases issued (mtdoops_erase_block calls), at boot and after writes. */
  erases: number;
  /** Oopses not written because dump_oops is 0. */
  oopsesIgnored: number;
  /** Oopses whose text was replaced in oops_buf before the write work ran. */
  oopsesOverwritten: number;
  /** mtd_write / mtd_erase calls that failed (the kernel logs them and carries on). */
  failures: number;
}

type Work = "erase" | "write";

/** Linux's mtdoops on a Flash: attach, dumps, and a workqueue the caller runs. */
export class MtdoopsModel {
  readonly flash: Flash;
  readonly recordSize: number;
  readonly oopsPages: number;
  dumpOops: boolean;
  nextpage = 0;
  nextcount = 0;
  readonly stats: MtdoopsStats = {
    headerReads: 0,
    writes: 0,
    writeBytes: 0,
    erases: 0,
    oopsesIgnored: 0,
    oopsesOverwritten: 0,
    failures: 0,
  };
  /** oops_page_used: one flag per slot, in RAM only. */
  private readonly used: Uint8Array;
  private readonly oopsBuf: Uint8Array;
  /** The workqueue: pending work items in the order they were scheduled. */
  private readonly queue: Work[] = [];
  private readonly nowNs: () => bigint;
  private readonly onRecordWritten: ((page: number) => void) | undefined;
  private oopsBufHasText = false;

  constructor(o: MtdoopsModelOptions) {
    const g = o.flash.geometry;
    const rs = o.recordSize;
    if (!(rs >= MTDOOPS_HEADER_SIZE && (rs & (rs - 1)) === 0)) {
      throw new RangeError("mtdoops model: record_size must be a power of two, got " + rs);
    }
    // mtdoops_notify_add's three refusals.
    if (g.size < g.eraseSize * 2)
      throw new RangeError("mtdoops: MTD partition not big enough for mtdoops");
    if (g.eraseSize < rs)
      throw new RangeError("mtdoops: eraseblock size of MTD partition too small");
    if (g.size > MTDOOPS_MAX_MTD_SIZE)
      throw new RangeError("mtdoops: MTD partition too large (limit is 8 MiB)");
    this.flash = o.flash;
    this.recordSize = rs;
    this.oopsPages = Math.floor(g.size / rs);
    this.dumpOops = o.dumpOops ?? true;
    this.nowNs = o.nowNs ?? (() => 0n);
    this.onRecordWritten = o.onRecordWritten;
    // vmalloc'd, not zeroed; find_next_position sets every bit it uses before reading it.
    this.used = new Uint8Array(this.oopsPages);
    this.oopsBuf = new Uint8Array(rs).fill(0xff);
  }

  /** mtdoops_notify_add: the boot-time attach (find_next_position). Queues work; run it with runWork(). */
  attach(): void {
    this.findNextPosition();
  }

  /** mtdoops_do_dump, with `console` as the kernel log (lines ending "\n"). */
  dump(reason: KmsgDumpReason, console: string): void {
    if (reason === "oops" && !this.dumpOops) {
      this.stats.oopsesIgnored++;
      return;
    }
    if (reason === "oops" && this.queue.includes("write") && this.oopsBufHasText)
      this.stats.oopsesOverwritten++;
    this.fillText(console);
    if (reason === "panic") {
      this.write(true);
    } else {
      this.scheduleWork("write");
    }
  }

  /** Work items waiting for the workqueue. */
  get pendingWork(): number {
    return this.queue.length;
  }

  /** Runs the workqueue until it is empty (work items may schedule more). */
  runWork(): void {
    for (let guard = 0; this.queue.length > 0; guard++) {
      if (guard > 1000) throw new Error("mtdoops model: the workqueue does not drain");
      this.runOneWork();
    }
  }

  /** Runs the oldest pending work item, if any (a reset can come between two items). */
  runOneWork(): void {
    const w = this.queue.shift();
    if (w === "erase") this.erase();
    else if (w === "write") this.write(false);
  }

  /** A reboot: RAM (the bitmap, oops_buf, the workqueue) is gone; attach() again. */
  reboot(): void {
    this.queue.length = 0;
    this.used.fill(0);
    this.oopsBuf.fill(0xff);
    this.oopsBufHasText = false;
  }

  /** True when the slot is marked used in RAM (test hook). */
  pageIsUsed(page: number): boolean {
    return this.used[page] === 1;
  }

  // ---------------------------------------------------------------- the kernel's functions

  private scheduleWork(w: Work): void {
    // schedule_work() returns false and does nothing when the item is already pending.
    if (!this.queue.includes(w)) this.queue.push(w);
  }

  /** kmsg_dump_get_buffer(syslog): the youngest whole lines that fit after the header. */
  private fillText(console: string): void {
    const room = this.recordSize - MTDOOPS_HEADER_SIZE;
    const bytes = new TextEncoder().encode(console);
    let start = Math.max(0, bytes.length - room);
    // Whole records (lines) only: skip a line cut by the start.
    if (start > 0 && bytes[start - 1] !== 0x0a) {
      while (start < bytes.length && bytes[start - 1] !== 0x0a) start++;
    }
    this.oopsBuf.fill(0xff, MTDOOPS_HEADER_SIZE);
    this.oopsBuf.set(bytes.subarray(start), MTDOOPS_HEADER_SIZE);
    this.oopsBufHasText = true;
  }

  /** mtdoops_write(cxt, panic). */
  private write(panic: boolean): void {
    const hdr = new DataView(this.oopsBuf.buffer, this.oopsBuf.byteOffset, MTDOOPS_HEADER_SIZE);
    hdr.setUint32(0, this.nextcount >>> 0, true);
    hdr.setUint32(4, MTDOOPS_MAGIC_V2, true);
    hdr.setBigInt64(8, this.nowNs(), true);
    const base = this.nextpage * this.recordSize;
    const page = this.flash.geometry.pageSize;
    try {
      for (let off = 0; off < this.recordSize;) {
        const n = Math.min(this.recordSize - off, page - ((base + off) % page));
        this.flash.program(base + off, this.oopsBuf.subarray(off, off + n));
        off += n;
      }
    } catch (e) {
      if (!isFlashError(e)) throw e;
      this.stats.failures++; // "write failure at ...": logged, and on it goes
    }
    this.stats.writes++;
    this.stats.writeBytes += this.recordSize;
    if (this.onRecordWritten) this.onRecordWritten(this.nextpage);
    this.used[this.nextpage] = 1; // mark_page_used
    this.oopsBuf.fill(0xff);
    this.oopsBufHasText = false;
    this.incCounter(panic);
  }

  /** mtdoops_inc_counter(cxt, panic). */
  private incCounter(panic: boolean): void {
    this.nextpage++;
    if (this.nextpage >= this.oopsPages) this.nextpage = 0;
    this.nextcount = (this.nextcount + 1) >>> 0;
    if (this.nextcount === 0xffffffff) this.nextcount = 0;
    if (this.used[this.nextpage]) {
      if (panic) this.erase();
      else this.scheduleWork("erase");
    }
  }

  /** mtdoops_erase: the block at nextpage (aligned forward), skipping blocks that fail. */
  private erase(): void {
    const eraseSize = this.flash.geometry.eraseSize;
    const pagesPerBlock = eraseSize / this.recordSize;
    const mod = (this.nextpage * this.recordSize) % eraseSize;
    if (mod !== 0) {
      this.nextpage += (eraseSize - mod) / this.recordSize;
      if (this.nextpage >= this.oopsPages) this.nextpage = 0;
    }
    for (let tried = 0; ;) {
      let ok = false;
      for (let j = 0; j < 3 && !ok; j++) ok = this.eraseBlock(this.nextpage * this.recordSize);
      if (ok) return;
      // -EIO: mtd_block_markbad is -EOPNOTSUPP on NOR, so straight to badblock:
      tried++;
      this.nextpage += pagesPerBlock;
      if (this.nextpage >= this.oopsPages) this.nextpage = 0;
      if (tried === this.oopsPages / pagesPerBlock) return; // "all blocks bad!"
    }
  }

  /** mtdoops_erase_block: one erase; on success the block's slots are unused. */
  private eraseBlock(offset: number): boolean {
    const eraseSize = this.flash.geometry.eraseSize;
    const start = Math.floor(offset / eraseSize) * eraseSize;
    this.stats.erases++;
    try {
      this.flash.erase(start);
    } catch (e) {
      if (!isFlashError(e)) throw e;
      this.stats.failures++;
      return false;
    }
    const first = start / this.recordSize;
    for (let p = first; p < first + eraseSize / this.recordSize; p++) this.used[p] = 0;
    return true;
  }

  /** find_next_position. */
  private findNextPosition(): void {
    let maxpos = 0;
    let maxcount = 0xffffffff;
    for (let page = 0; page < this.oopsPages; page++) {
      this.used[page] = 1; // "Assume the page is used"
      let hdr: Uint8Array;
      this.stats.headerReads++;
      try {
        hdr = this.flash.read(page * this.recordSize, MTDOOPS_HEADER_SIZE);
      } catch (e) {
        if (!isFlashError(e)) throw e;
        continue; // read failure: the page stays used
      }
      const v = new DataView(hdr.buffer, hdr.byteOffset, hdr.byteLength);
      const seq = v.getUint32(0, true);
      const magic = v.getUint32(4, true);
      if (seq === 0xffffffff && magic === 0xffffffff) this.used[page] = 0;
      if (seq === 0xffffffff || (magic !== MTDOOPS_MAGIC_V1 && magic !== MTDOOPS_MAGIC_V2))
        continue;
      if (
        maxcount === 0xffffffff ||
        (seq < 0x40000000 && maxcount > 0xc0000000) ||
        (seq > maxcount && seq < 0xc0000000) ||
        (seq > maxcount && seq > 0xc0000000 && maxcount > 0x80000000)
      ) {
        maxcount = seq;
        maxpos = page;
      }
    }
    if (maxcount === 0xffffffff) {
      this.nextpage = this.oopsPages - 1;
      this.nextcount = 0;
    } else {
      this.nextpage = maxpos;
      this.nextcount = maxcount;
    }
    this.incCounter(false);
  }
}
