// The device figures: runs `node --import tsx test/bench/device.ts --json` (the real
// Espruino interpreter bench, in L units) and takes the JSON object on its last stdout line.
// Null when the script is absent, prints null (no interpreter), fails, or prints something
// else; the reason goes to stderr. Host-only; bench code.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";

export interface DeviceResult {
  figures: Record<string, unknown> | null;
  /** Why figures is null; undefined when it is not. */
  why?: string;
}

/** The object on the last non-empty line of `stdout`, or a reason it is not one. */
export function parseDeviceOutput(stdout: string): DeviceResult {
  const lines = stdout.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const last = lines[lines.length - 1];
  if (last === undefined) return { figures: null, why: "it printed nothing" };
  let v: unknown;
  try {
    v = JSON.parse(last);
  } catch {
    return { figures: null, why: "its last line is not JSON: " + last.slice(0, 120) };
  }
  if (v === null)
    return { figures: null, why: "it found no Espruino interpreter (it printed null)" };
  if (typeof v !== "object" || Array.isArray(v))
    return { figures: null, why: "its last line is not a JSON object" };
  return { figures: v as Record<string, unknown> };
}

/** The device bench's script in the repository at `root`. */
export function deviceScript(root: string): string {
  return join(root, "test", "bench", "device.ts");
}

/** Runs `script --json` with tsx from `cwd` (the repository root), for at most `timeoutMs`. */
export function runDeviceBench(
  script: string,
  cwd: string,
  timeoutMs: number,
  quick = false,
): DeviceResult {
  if (!existsSync(script))
    return { figures: null, why: relative(cwd, script) + " does not exist in this tree" };
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", script, "--json", ...(quick ? ["--quick"] : [])],
    {
      cwd,
      encoding: "utf8",
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (r.error) return { figures: null, why: "it could not run: " + r.error.message };
  if (r.status !== 0) {
    const tail = (r.stderr || "").trim().split("\n").slice(-3).join(" | ");
    return {
      figures: null,
      why: "it exited with status " + String(r.status ?? r.signal) + (tail ? ": " + tail : ""),
    };
  }
  return parseDeviceOutput(r.stdout);
}
