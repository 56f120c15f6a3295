// Makes sure firmware/dist/<board>.js exists and is newer than every file its last build
// read (the list the build writes beside it, from esbuild's metafile), running the
// project's one firmware build (npm run build:firmware) when it is not.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./repo.js";
import { FirmwareFile, FIRMWARE_FILES } from "../boards/firmware-files.js";

export class FlashToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FlashToolError";
  }
}

export function bundlePath(boardId: string, root = repoRoot()): string {
  return path.join(root, "firmware", "dist", boardId + ".js");
}

/** Suffix of the list of a board's build inputs beside its bundle (written by scripts/build-firmware.ts). */
const INPUTS_SUFFIX = ".inputs.json";

/**
 * The files the board's last build read, repository-relative, as that build listed them:
 * the sources from esbuild's metafile and the build's own code and configuration. Null
 * when the list is missing or unreadable.
 */
export function buildInputs(boardId: string, root = repoRoot()): string[] | null {
  try {
    const j = JSON.parse(
      readFileSync(path.join(root, "firmware", "dist", boardId + INPUTS_SUFFIX), "utf8"),
    ) as { inputs?: unknown };
    return Array.isArray(j.inputs) && j.inputs.every((x) => typeof x === "string")
      ? (j.inputs as string[])
      : null;
  } catch {
    return null;
  }
}

/** Why the bundle must be (re)built, or null when it is up to date. */
export function bundleStale(boardId: string, root = repoRoot()): string | null {
  const file = bundlePath(boardId, root);
  if (!existsSync(file)) return "missing";
  let built = statSync(file).mtimeMs;
  // The modules loaded on demand (src/boards/firmware-files.ts) are built with the bundle.
  for (const [name, suffix] of FIRMWARE_FILES) {
    if (name === FirmwareFile.Boot) continue;
    const m = path.join(root, "firmware", "dist", boardId + suffix);
    if (!existsSync(m)) return "missing";
    built = Math.min(built, statSync(m).mtimeMs);
  }
  const inputs = buildInputs(boardId, root);
  if (!inputs) return "missing its list of inputs";
  for (const f of inputs) {
    let t: number;
    try {
      t = statSync(path.join(root, f)).mtimeMs;
    } catch {
      return "older than its sources (" + f + " is gone)";
    }
    if (t > built) return "older than its sources";
  }
  return null;
}

/** Runs `npm run build:firmware -- --board <id>` in the repository; rejects with the build's last lines. */
export function runFirmwareBuild(boardId: string, root = repoRoot()): Promise<void> {
  return new Promise((resolve, reject) => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    let output = "";
    let child;
    try {
      child = spawn(npm, ["run", "--silent", "build:firmware", "--", "--board", boardId], {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      reject(
        new FlashToolError(
          `cannot run the firmware build (npm run build:firmware): ${(e as Error).message}`,
        ),
      );
      return;
    }
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    child.on("error", (e) =>
      reject(
        new FlashToolError(`cannot run the firmware build (npm run build:firmware): ${e.message}`),
      ),
    );
    child.on("close", (code) => {
      if (code === 0) return resolve();
      const lines = output
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !/^npm (ERR|error)/.test(l) && !/^>/.test(l));
      const last = lines.slice(-2).join(" / ") || `exit status ${String(code)}`;
      reject(new FlashToolError(`the firmware build failed (npm run build:firmware): ${last}`));
    });
  });
}

/**
 * ensureBundle() for synchronous callers (the virtual board's constructor): the same build,
 * run with spawnSync. Returns the bundle's path.
 */
export function ensureBundleSync(boardId: string, root = repoRoot()): string {
  if (bundleStale(boardId, root)) {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const r = spawnSync(npm, ["run", "--silent", "build:firmware", "--", "--board", boardId], {
      cwd: root,
      encoding: "utf8",
    });
    if (r.error || r.status !== 0) {
      const last = ((r.stdout ?? "") + (r.stderr ?? "")).trim().split("\n").slice(-2).join(" / ");
      throw new FlashToolError(
        "the firmware build failed (npm run build:firmware): " + (r.error?.message ?? last),
      );
    }
  }
  return bundlePath(boardId, root);
}

/**
 * The board's bundle, built first if missing or stale. `onBuild` is told before a build.
 * Returns the bundle's path.
 */
export async function ensureBundle(
  boardId: string,
  onBuild?: (why: string) => void,
  root = repoRoot(),
): Promise<string> {
  const why = bundleStale(boardId, root);
  const file = bundlePath(boardId, root);
  if (why) {
    onBuild?.(why);
    await runFirmwareBuild(boardId, root);
    if (!existsSync(file)) {
      throw new FlashToolError(
        `the firmware build did not produce ${path.relative(process.cwd(), file) || file}`,
      );
    }
  }
  return file;
}
