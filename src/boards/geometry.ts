// A board's flash geometry (FlashGeometry, src/core/flash.ts) from its definition: what the
// firmware's backends, the virtual board and the tests open the partition with. Device code
// (bundled into the resident .boot0, whose flash backends open the partition with it).

import type { FlashGeometry } from "../core/flash.js";
import type { BoardDefinition } from "./schema.js";

/** The partition's size, erase size, program unit and page as the board file gives them; NOR erases to 0xFF. */
export function boardGeometry(b: BoardDefinition): FlashGeometry {
  return {
    size: b.size,
    eraseSize: b.eraseSize,
    progUnit: b.progUnit,
    pageSize: b.pageSize,
    erasedValue: 255,
  };
}
