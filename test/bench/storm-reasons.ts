// Reason codes the storms use (SPEC.md §2.1): an oops for each crash; the older records that
// fill the partition before a storm are notes, written late in a boot, which are not crashes.
import { Reason } from "../../src/core/record.js";
/** A record that is not a crash (the crash-loop guard does not count it). */
export const REASON_NOTE_FREE_TEXT = Reason.SHUTDOWN;
