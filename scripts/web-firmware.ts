// The firmware the web page installs: every board's Storage files, built by the firmware
// build (scripts/build-firmware.ts, buildBoard: the same code `npm run build:firmware`
// writes to firmware/dist and `mtdoops flash` uploads), as one JSON manifest
// (src/boards/web-firmware-manifest.ts). The page's Vite build (vite.config.ts) runs this at
// build time; nothing here knows the file names or how many files a board has: they are
// whatever BoardBuild.files lists.
//
//   node --import tsx scripts/web-firmware.ts [--board <id> ...] > manifest.json

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { listBoards, loadBoard } from "../src/boards/load.js";
import { packageVersionAt } from "../src/boards/firmware-build.js";
import { manifestBoard } from "../src/boards/web-firmware-manifest.js";
import type { FirmwareBoard, FirmwareManifest } from "../src/boards/web-firmware-manifest.js";
import { ROOT, buildBoard, buildFailures } from "./build-firmware.js";
import { parseScriptArgs } from "./script-args.js";

export async function webFirmwareManifest(ids: string[] = listBoards()): Promise<FirmwareManifest> {
  const boards: FirmwareBoard[] = [];
  for (const id of ids) {
    const board = loadBoard(id);
    const b = await buildBoard(board, { write: false });
    const failures = buildFailures([b]);
    if (failures.length) throw new Error(failures.join("; "));
    boards.push(manifestBoard(board, b.files));
  }
  return { version: packageVersionAt(ROOT), boards };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = parseScriptArgs(
    "web-firmware",
    process.argv.slice(2),
    { board: { type: "string", multiple: true } },
    "node --import tsx scripts/web-firmware.ts [--board <id> ...]",
  );
  if (!args) process.exit(2);
  const ids = (args.values["board"] as string[] | undefined) ?? [];
  webFirmwareManifest(ids.length ? ids : undefined).then(
    (m) => process.stdout.write(JSON.stringify(m)),
    (e: unknown) => {
      console.error("web-firmware: " + (e instanceof Error ? e.message : String(e)));
      process.exitCode = 1;
    },
  );
}
