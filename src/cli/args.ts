// Argument parsing on node:util's parseArgs (strict), with its errors turned into
// UsageErrors that name the command and point at --help.

import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import { CliError, UsageError } from "./io.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(
  command: string,
  argv: string[],
  options: OptionSpec,
  maxPositionals: number,
): Parsed {
  let result;
  try {
    result = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    let msg = err.message;
    const m = /Unknown option '([^']+)'/.exec(msg);
    if (m) msg = `unknown option ${m[1]}`;
    else if (/argument missing/.test(msg)) {
      const o = /Option '([^']+)'/.exec(msg);
      msg = `option ${o ? o[1]?.replace(/^-\w, /, "").replace(/ <value>$/, "") : ""} needs a value`;
    } else if (/does not take an argument/.test(msg)) {
      const o = /Option '([^']+)'/.exec(msg);
      msg = `option ${o ? o[1]?.replace(/^-\w, /, "") : ""} takes no value`;
    }
    throw new UsageError(`${msg} (see: mtdoops ${command} --help)`, command);
  }
  const values = result.values as Record<string, string | boolean | undefined>;
  if (!values["help"] && result.positionals.length > maxPositionals) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(result.positionals[maxPositionals])} (see: mtdoops ${command} --help)`,
      command,
    );
  }
  return { values, positionals: result.positionals };
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function requireStr(p: Parsed, name: string, command: string, hint = ""): string {
  const v = str(p, name);
  if (v === undefined || v === "") {
    throw new UsageError(
      `missing --${name}${hint ? " " + hint : ""} (see: mtdoops ${command} --help)`,
      command,
    );
  }
  return v;
}

/** An integer option within [min, max]; undefined when absent. A bad value is a CliError (exit 1). */
export function intOpt(
  p: Parsed,
  name: string,
  command: string,
  min: number,
  max: number,
): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const t = v.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^-?\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliError(
      `--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)} (mtdoops ${command})`,
    );
  }
  return n;
}
