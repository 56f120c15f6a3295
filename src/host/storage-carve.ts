// Scan mode and carving Storage files: records found at any 4-byte-aligned offset, for
// boards whose "storage" backend keeps the partition as one Storage file per erase block
// (the Linux build's espruino.flash), and as the decoder's last resort when no slot size
// fits. Each record found is matched to the Storage file header in front of it, which
// tells its block (so its slot) and whether the file is live or deleted.
//
// Linear in the image size whatever the bytes: an offset is only decoded once its header
// fields and its CRC (CrcIndex: constant time per offset) hold, and the valid records
// found never overlap.

import {
  COMMIT_VALUE,
  FORMAT_VERSION,
  HEADER_SIZE,
  OFF_COMMIT,
  OFF_CRC,
  OFF_CRC_START,
  getU32,
} from "../core/record.js";
import { CrcIndex } from "./crc-index.js";
import { orderBySequence } from "./seq-order.js";
import { decodeRecordBytes } from "./record-view.js";
import type { EspruinoDecodedRecord } from "./record-view.js";
import { MAX_RECORD_SIZE, quickCandidate } from "./slot-size.js";

/** What the decoder needs to know of a board (boards/<id>.json has it all). */
export interface PartitionLayout {
  id: string;
  recordSize: number;
  eraseSize: number;
  backend: string;
  /** Partition size in bytes (a "storage" board's raw partition image is decoded by slots). */
  size?: number | undefined;
  storagePrefix?: string | undefined;
}

/**
 * True when the bytes at `off` are a committed header whose payload fits `bound` and the
 * image, and whose CRC holds: the checks decodeRecord makes, without reading the payload.
 */
function headerAndCrcHold(image: Uint8Array, crcs: CrcIndex, off: number, bound: number): boolean {
  if (getU32(image, off + OFF_COMMIT) !== COMMIT_VALUE) return false;
  if (image[off + 24] !== FORMAT_VERSION || image[off + 25] !== HEADER_SIZE) return false;
  const end =
    off + HEADER_SIZE + ((image[off + 44] as number) | ((image[off + 45] as number) << 8));
  if (end - off > bound || end > image.length) return false;
  return crcs.crc(off + OFF_CRC_START, end) === getU32(image, off + OFF_CRC);
}

interface StorageFileRef {
  name: string;
  live: boolean;
  block: number | null;
  k: number;
}

/**
 * Finds the Espruino Storage file header (u32 size with flags in the top byte, 28-byte
 * name) in front of a record found by scanning: the record is slot k of a file whose block
 * data starts k record sizes before it, after an optional 8-byte block marker (the
 * firmware's storage backend writes one). A deleted or replaced file has the first 4 bytes
 * of its name zeroed (Espruino src/jsflash.h).
 */
function findStorageFile(
  image: Uint8Array,
  off: number,
  recordSize: number,
  slotsPerBlock: number,
  prefix: string | undefined,
): StorageFileRef | null {
  for (let k = 0; k < slotsPerBlock; k++) {
    for (const marker of [8, 0]) {
      const h = off - k * recordSize - marker - 32;
      if (h < 0) continue;
      const f = storageHeaderAt(
        image,
        h,
        marker + (k + 1) * recordSize - recordSize + HEADER_SIZE,
        prefix,
      );
      if (f) return { ...f, k };
    }
  }
  return null;
}

function storageHeaderAt(
  image: Uint8Array,
  h: number,
  minSize: number,
  prefix: string | undefined,
): Omit<StorageFileRef, "k"> | null {
  const size = getU32(image, h) & 0xffffff;
  if (size === 0xffffff || size < minSize) return null;
  const nameBytes = image.subarray(h + 4, h + 32);
  let len = nameBytes.indexOf(0, 4);
  if (len < 0) len = 28;
  const firstZero =
    nameBytes[0] === 0 && nameBytes[1] === 0 && nameBytes[2] === 0 && nameBytes[3] === 0;
  if (len <= (firstZero ? 4 : 0)) return null;
  for (let i = firstZero ? 4 : 0; i < len; i++) {
    const c = nameBytes[i] as number;
    if (c < 0x20 || c > 0x7e) return null;
  }
  for (let i = len; i < 28; i++) if (nameBytes[i] !== 0) return null;
  const tail = String.fromCharCode(...nameBytes.subarray(firstZero ? 4 : 0, len));
  if (prefix !== undefined) {
    if (!firstZero) {
      if (!tail.startsWith(prefix) || !/^\d+$/.test(tail.slice(prefix.length))) return null;
      return { name: tail, live: true, block: Number(tail.slice(prefix.length)) };
    }
    const rest = prefix.slice(4);
    if (prefix.length >= 4 && tail.startsWith(rest) && /^\d+$/.test(tail.slice(rest.length))) {
      return {
        name: prefix + tail.slice(rest.length),
        live: false,
        block: Number(tail.slice(rest.length)),
      };
    }
    return null;
  }
  const m = /^(.*?)(\d+)$/.exec(tail);
  if (!m) return null;
  return { name: firstZero ? "????" + tail : tail, live: !firstZero, block: Number(m[2]) };
}

export function scanAnywhere(
  image: Uint8Array,
  board: PartitionLayout | undefined,
  recordSize: number | null,
): {
  records: EspruinoDecodedRecord[];
  stale: number;
} {
  const bound = recordSize ?? MAX_RECORD_SIZE;
  const slotsPerBlock =
    board && recordSize ? Math.max(1, Math.floor(board.eraseSize / recordSize)) : 0;
  const live: EspruinoDecodedRecord[] = [];
  const stale: EspruinoDecodedRecord[] = [];
  let crcs: CrcIndex | null = null;
  let off = 0;
  while (off + HEADER_SIZE <= image.length) {
    if (!quickCandidate(image, off)) {
      off += 4;
      continue;
    }
    crcs = crcs ?? new CrcIndex(image);
    if (!headerAndCrcHold(image, crcs, off, bound)) {
      off += 4;
      continue;
    }
    const r = decodeRecordBytes(image.subarray(off, Math.min(image.length, off + bound)), {
      recordSize: bound,
      slot: -1,
      offset: off,
    });
    if (!r) {
      off += 4;
      continue;
    }
    let isLive = true;
    if (recordSize && slotsPerBlock > 0) {
      const f = findStorageFile(image, off, recordSize, slotsPerBlock, board?.storagePrefix);
      if (f) {
        r.storageFile = f.name;
        isLive = f.live;
        if (f.block !== null) r.slot = f.block * slotsPerBlock + f.k;
      } else if (off % recordSize === 0) r.slot = off / recordSize;
    }
    (isLive ? live : stale).push(r);
    off += Math.ceil(r.length / 4) * 4;
  }
  // A stale copy (a deleted Storage file) is dropped; so is any second copy of a seq.
  const seen = new Set<number>();
  const out: EspruinoDecodedRecord[] = [];
  for (const r of live) {
    if (seen.has(r.seq)) continue;
    seen.add(r.seq);
    out.push(r);
  }
  return { records: orderBySequence(out), stale: stale.length };
}
