// The JSON context stored with every record (SPEC.md §2.5). Device code.

import type { LogCore } from "../src/core/log-core.js";
import { HEADER_SIZE } from "../src/core/record.js";

declare const MTDOOPS_VERSION: string;
declare const MTDOOPS_BOARD: string;

/** The library version, injected by the build (esbuild --define); "dev" otherwise. */
export const LIB = typeof MTDOOPS_VERSION === "string" ? MTDOOPS_VERSION : "dev";

interface Ctx {
  msg: string;
  reset?: string;
  flags?: string[];
  stack?: string;
  mem?: { free: number; usage: number; total: number };
  board?: string;
  fw?: string;
  lib?: string;
  lost?: number;
  suppressed?: number;
}

// What goes first when the context is too long for the slot (the log stores at most half
// of a slot's payload room as context). A string, split when needed: an array of strings
// would hold about a dozen JsVars for as long as the firmware runs.
const DROP = "stack,mem,suppressed,lost,lib,fw,flags";

/** The context of a dump, as JSON that fits the log's slots. The board id comes from the build (MTDOOPS_BOARD). */
export function context(
  log: LogCore,
  msg: string,
  stack?: string,
  flags?: string[],
  reset?: string,
): string {
  const max = (log.recordSize - HEADER_SIZE) >> 1;
  const m = process.memory(false);
  const o: Ctx = { msg: msg };
  if (reset) o.reset = reset;
  if (flags) o.flags = flags;
  if (stack) o.stack = stack;
  o.mem = { free: m.free, usage: m.usage, total: m.total };
  o.board = typeof MTDOOPS_BOARD === "string" ? MTDOOPS_BOARD : "?";
  o.fw = process.version;
  o.lib = LIB;
  o.lost = log.stats.lost;
  o.suppressed = log.stats.suppressed;
  let s = JSON.stringify(o);
  if (s.length > max && o.stack) {
    o.stack = o.stack.substr(0, o.stack.length - (s.length - max) - 4);
    s = JSON.stringify(o);
  }
  const drop = DROP.split(",");
  for (let i = 0; s.length > max && i < drop.length; i++) {
    delete (o as unknown as Record<string, unknown>)[drop[i] as string];
    s = JSON.stringify(o);
  }
  return s.length > max ? JSON.stringify({ msg: msg.substr(0, max - 12) }) : s;
}
