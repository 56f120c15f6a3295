// Argument parsing on node:util's parseArgs (strict), with its errors turned into
// UsageErrors that name the command and point at --help.

import { statSync } from "node:fs";
import path from "node:path";
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
      args: joinNegativeValues(argv, options),
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

/**
 * `--record-size -1`: parseArgs takes "-1" for an option and fails with its own text. A
 * value that looks like a negative number after an option that takes a value is joined to
 * it (`--record-size=-1`), so that the option's own check says what is accepted.
 */
function joinNegativeValues(argv: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = argv[i + 1];
    const long = /^--([^=]+)$/.exec(a);
    const short = /^-([A-Za-z])$/.exec(a);
    let name: string | undefined = long ? long[1] : undefined;
    if (short) name = Object.keys(options).find((k) => options[k]?.short === short[1]);
    if (
      name !== undefined &&
      options[name]?.type === "string" &&
      next !== undefined &&
      /^-[0-9.]/.test(next)
    ) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** A --board value: a board id or a board's .json file; a directory is neither. */
export function boardArg(value: string, cwd: string): string {
  const isPath = value.includes("/") || value.includes("\\") || value.endsWith(".json");
  if (isPath) {
    let st;
    try {
      st = statSync(path.resolve(cwd, value));
    } catch {
      return value; // loadBoard says "no such board file"
    }
    if (st.isDirectory())
      throw new CliError(
        `--board ${value} is a directory: give a board id (see boards/) or a board's .json file`,
      );
    if (!st.isFile())
      throw new CliError(`--board ${value} is not a regular file: give a board's .json file`);
    return path.resolve(cwd, value);
  }
  return value;
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
