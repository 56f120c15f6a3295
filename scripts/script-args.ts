// Command-line parsing for the scripts: node:util's parseArgs (strict), with its error
// turned into one line that names the script and shows its usage. The caller exits 2.

import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";

export type ScriptOptions = NonNullable<ParseArgsConfig["options"]>;

export interface ScriptArgs {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` for `script`; on a bad argument prints "<script>: <what>" and `usage` to
 * stderr and returns null.
 */
export function parseScriptArgs(
  script: string,
  argv: string[],
  options: ScriptOptions,
  usage: string,
  allowPositionals = false,
): ScriptArgs | null {
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals });
    return { values: r.values, positionals: r.positionals };
  } catch (e) {
    // Node's message goes on to explain "--" for positionals that start with "-": keep its
    // first sentence.
    const what = (e as Error).message.split(". ")[0] ?? "bad arguments";
    console.error(script + ": " + what + "\nusage: " + usage);
    return null;
  }
}
