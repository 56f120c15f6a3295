// Reason codes the storms use (SPEC.md §2.1): an oops for each crash; the older records that
// fill the partition before a storm are notes, written late in a boot, which are not crashes.
import { REASON_OOPS as OOPS, REASON_SHUTDOWN } from "../../src/core/record.js";

export const REASON_OOPS = OOPS;
/** A record that is not a crash (the crash-loop guard does not count it). */
export const REASON_NOTE_FREE_TEXT = REASON_SHUTDOWN;
