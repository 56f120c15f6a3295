// A stale bundle is never uploaded: the build lists every file it read (esbuild's metafile
// and the build's own code and configuration) beside the bundle, and an edit to any of them
// makes the bundle stale (src/host/firmware-build.ts bundleStale). Checked against the real
// build's list, one input at a time, on a copy of the inputs.

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildBoard } from "../scripts/build-firmware.js";
import { loadBoard } from "../src/boards/load.js";
import { buildInputs, bundleStale } from "../src/host/firmware-build.js";
import { repoRoot } from "../src/host/repo.js";

const ROOT = repoRoot();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the bundle's inputs", () => {
  it("are the files the build read, and an edit to any one of them makes the bundle stale", async () => {
    const copy = mkdtempSync(path.join(tmpdir(), "mtdoops-stale-"));
    dirs.push(copy);
    const dist = path.join(copy, "firmware", "dist");
    await buildBoard(loadBoard("linux"), { outDir: dist, dialect: false });
    const inputs = buildInputs("linux", copy);
    expect(inputs).not.toBeNull();
    const list = inputs as string[];
    // What the old directory scan missed, and what it watched for nothing.
    for (const f of [
      "src/boards/geometry.ts",
      "src/boards/firmware-files.ts",
      "src/boards/firmware-build.ts",
      "firmware/main.ts",
      "src/core/log-core.ts",
      "boards/linux.json",
      "scripts/build-firmware.ts",
    ])
      expect(list).toContain(f);
    expect(list.some((f) => f.startsWith("src/codec/"))).toBe(false);
    // The inputs, copied and an hour old; the bundle's files now.
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const f of list) {
      mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
      copyFileSync(path.join(ROOT, f), path.join(copy, f));
      utimesSync(path.join(copy, f), hourAgo, hourAgo);
    }
    const now = new Date();
    for (const n of readdirSync(dist)) utimesSync(path.join(dist, n), now, now);
    expect(bundleStale("linux", copy)).toBeNull();
    const later = new Date(Date.now() + 60_000);
    for (const f of list) {
      utimesSync(path.join(copy, f), later, later);
      expect(bundleStale("linux", copy), f).toBe("older than its sources");
      utimesSync(path.join(copy, f), hourAgo, hourAgo);
    }
    expect(bundleStale("linux", copy)).toBeNull();
  }, 60_000);
});
