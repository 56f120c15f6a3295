// The write module (Storage file FirmwareFile.Write, src/boards/firmware-files.ts): builds a dump's
// context and records it (dump() in src/core/log-core.ts). The resident code (main.ts)
// loads it for each dump (uncaught exception, error flag, panic, oops, shutdown, the
// reboot record) and drops it after, so that the write path, the record encoder and the
// flash backend are not in RAM between crashes (docs/FIRMWARE.md, "Files").
// A panic therefore loads this module before it writes: DESIGN.md, "Limits", says what
// that costs. Device code (docs/DIALECT.md).

import type { BoardDefinition } from "../src/boards/schema.js";
import { dump, runJobs } from "../src/core/log-core.js";
import { REASON_SHUTDOWN } from "../src/core/record.js";
import { context } from "./context.js";
import type { DeviceLog } from "./env.js";
import { attach, detach } from "./env.js";

/**
 * Records a dump: `reason`, the context's message, stack, error flags and reset reason,
 * the record's flags. True when written (panic) or queued (the others). A shutdown is
 * written at once with the jobs run here: no timer would run again.
 */
export default function write(
  b: BoardDefinition,
  log: DeviceLog,
  reason: number,
  msg: string,
  stack: string | undefined,
  errorFlags: string[] | undefined,
  reset: string | undefined,
  flags: number | undefined,
): boolean {
  attach(log, b, undefined);
  try {
    const ctx = context(log, msg, stack, errorFlags, reset);
    if (reason !== REASON_SHUTDOWN) return dump(log, reason, ctx, flags);
    // A timer made now would outlive the interpreter's teardown: queue none.
    log._jobQueued = true;
    const ok = dump(log, reason, ctx, flags);
    runJobs(log);
    return ok;
  } finally {
    detach(log);
  }
}
