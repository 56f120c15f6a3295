// The command line shared by the bench's device scripts (device.ts, flash-reads.ts): boolean
// flags, one line and exit 2 on a bad argument, and the same way of saying that nothing
// could be measured on this machine.

import { parseArgs } from "node:util";

/** Parses `flags` (all boolean); a bad argument prints `name: why (usage: ...)` and exits 2. */
export function scriptFlags<K extends string>(
  name: string,
  usage: string,
  flags: readonly K[],
): Record<K, boolean> {
  const options: Record<string, { type: "boolean" }> = {};
  for (const f of flags) options[f] = { type: "boolean" };
  try {
    const v = parseArgs({ options, strict: true }).values as Record<string, unknown>;
    const out = {} as Record<K, boolean>;
    for (const f of flags) out[f] = v[f] === true;
    return out;
  } catch (e) {
    process.stderr.write(name + ": " + (e as Error).message + " (usage: " + usage + ")\n");
    process.exit(2);
  }
}

/** Says why nothing was measured and exits: 0 with `null` on stdout under --json, else 1. */
export function nothingMeasured(name: string, why: string, json: boolean): never {
  process.stderr.write(name + ": " + why + "\n");
  if (json) process.stdout.write("null\n");
  process.exit(json ? 0 : 1);
}

/** Runs a script's main; a failure is one line on stderr and exit 1. */
export function runScript(name: string, main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    process.stderr.write(name + ": " + ((e as Error).message || String(e)) + "\n");
    process.exit(1);
  });
}
