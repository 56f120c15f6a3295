// The firmware the web page installs: every board's Storage files, built by the firmware
// build (scripts/build-firmware.ts, buildBoard: the same code `npm run build:firmware`
// writes to firmware/dist and `mtdoops flash` uploads), as one JSON manifest. The page's
// Vite build (vite.config.ts) runs this at build time; nothing here knows the file names
// or how many files a board has: they are whatever BoardBuild.files lists.
//
//   node --import tsx scripts/web-firmware.ts [--board <id> ...] > manifest.json

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { listBoards, loadBoard } from "../src/boards/load.js";
import { packageVersionAt } from "../src/boards/firmware-build.js";
import { ROOT, buildBoard, buildFailures } from "./build-firmware.js";

/** One board as the page shows and installs it. */
export interface WebFirmwareBoard {
  id: string;
  name: string;
  backend: string;
  recordSize: number;
  size: number;
  eraseSize: number;
  storagePrefix?: string | undefined;
  /** The board's firmware files in the build's order (the boot file first). */
  files: Array<{ storage: string; code: string; bytes: number }>;
}

export interface WebFirmwareManifest {
  version: string;
  boards: WebFirmwareBoard[];
}

export async function webFirmwareManifest(
  ids: string[] = listBoards(),
): Promise<WebFirmwareManifest> {
  const boards: WebFirmwareBoard[] = [];
  for (const id of ids) {
    const board = loadBoard(id);
    const b = await buildBoard(board, { write: false });
    const failures = buildFailures([b]);
    if (failures.length) throw new Error(failures.join("; "));
    boards.push({
      id: board.id,
      name: board.name,
      backend: board.backend,
      recordSize: board.recordSize,
      size: board.size,
      eraseSize: board.eraseSize,
      storagePrefix: board.storagePrefix,
      files: b.files.map((f) => ({ storage: f.storage, code: f.code, bytes: f.bytes })),
    });
  }
  return { version: packageVersionAt(ROOT), boards };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const ids: string[] = [];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--board" && argv[i + 1]) ids.push(argv[++i] as string);
    else {
      console.error("web-firmware: unknown argument " + argv[i]);
      process.exit(2);
    }
  }
  webFirmwareManifest(ids.length ? ids : undefined).then(
    (m) => process.stdout.write(JSON.stringify(m)),
    (e: unknown) => {
      console.error("web-firmware: " + (e instanceof Error ? e.message : String(e)));
      process.exitCode = 1;
    },
  );
}
