// Makes sure firmware/dist/<board>.js exists and is newer than its sources, running the
// project's firmware build (npm run build:firmware) when it is not.

import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
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

function newestMtime(p: string, exts: string[]): number {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (st.isFile()) return exts.some((e) => p.endsWith(e)) ? st.mtimeMs : 0;
  if (!st.isDirectory()) return 0;
  let newest = 0;
  for (const name of readdirSync(p)) {
    if (name === "dist" || name === "node_modules" || name.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(p, name), exts));
  }
  return newest;
}

/** The sources a bundle is built from: the firmware, the device code in src/, the board file, the build script. */
export function sourcesMtime(boardId: string, root = repoRoot()): number {
  const ts = [".ts", ".js", ".json"];
  return Math.max(
    newestMtime(path.join(root, "firmware"), ts),
    newestMtime(path.join(root, "src", "core"), ts),
    newestMtime(path.join(root, "src", "codec"), ts),
    newestMtime(path.join(root, "src", "boards", "schema.ts"), ts),
    newestMtime(path.join(root, "boards", boardId + ".json"), ts),
    newestMtime(path.join(root, "scripts"), [".ts", ".mjs", ".js"]),
  );
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
  return sourcesMtime(boardId, root) > built ? "older than its sources" : null;
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
