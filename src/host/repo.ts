// Where the project's files are, from this module's own location (src/host/ when run with
// tsx, dist/src/host/ when built): the repository root holds package.json, boards/ and
// firmware/.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | null = null;

export function repoRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pj = path.join(dir, "package.json");
    if (existsSync(pj)) {
      try {
        const name = (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name;
        if (name === "espruino-mtdoops") {
          cached = dir;
          return dir;
        }
      } catch {
        // not ours; keep looking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(
    "cannot find the espruino-mtdoops package root above " + fileURLToPath(import.meta.url),
  );
}
