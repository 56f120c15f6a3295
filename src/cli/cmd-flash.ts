// mtdoops flash --board <id> --port <port> [--baud <n>] [--bundle <file>]
// mtdoops flash --board <id> --dry-run <file> [--bundle <file>]

import { loadBoard } from "../boards/load.js";
import { flashBoard } from "../host/flash-upload.js";
import { DEFAULT_BAUD } from "../host/transport-serial.js";
import { boardArg, flag, intOpt, parse, requireStr, str } from "./args.js";
import type { OptionSpec } from "./args.js";
import { existsSync } from "node:fs";
import { CliError, UsageError } from "./io.js";
import type { CliIo } from "./io.js";
import { ProgressView, formatBytes } from "./render.js";

export const FLASH_HELP = `Usage:
  mtdoops flash --board <id> --port <port> [--baud <n>] [--bundle <file>]
  mtdoops flash --board <id> --dry-run <file> [--bundle <file>]

Installs espruino-mtdoops on a board: builds firmware/dist/<id>.js and the files beside
it (<id>.core.js, <id>.mount.js, <id>.read.js) when they are missing or older than their
sources, then uploads them with EspruinoTools into the board's Storage as the boot file
.boot0 and the files .mtdcore, .mtdmount and .mtdread, and restarts the board into it
(load()). Afterwards the board
answers mtdoops.* commands; check with: mtdoops logs --port <port>

Options:
  --board <id>        the board (boards/<id>.json: puckjs, pixljs, banglejs2, pico,
                      espruinowifi, esp32, mdbt42q, linux)
  -p, --port <port>   serial device (/dev/ttyACM0, COM3) or tcp://host:port (the Linux
                      build with --telnet, the simulator: mtdoops sim --tcp <n>)
  --dry-run <file>    write the exact code that would be sent to <file>; no port is used
  --baud <n>          serial baud rate (default ${DEFAULT_BAUD})
  --bundle <file>     upload this firmware bundle instead of firmware/dist/<id>.js
                      (no build), with <file minus .js>.mount.js and .read.js when
                      they are there; it must have been built for the same board
  -h, --help          this help

Exit status: 0 ok, 1 failure, 2 bad usage.
`;

/** The options `mtdoops flash` takes (besides -h, --help); its help lists each. */
export const FLASH_OPTIONS: OptionSpec = {
  board: { type: "string" },
  port: { type: "string", short: "p" },
  "dry-run": { type: "string" },
  baud: { type: "string" },
  bundle: { type: "string" },
};

export async function flashCommand(argv: string[], io: CliIo): Promise<number> {
  const p = parse("flash", argv, FLASH_OPTIONS, 0);
  if (flag(p, "help")) {
    io.stdout.write(FLASH_HELP);
    return 0;
  }
  const boardId = requireStr(p, "board", "flash", "<id>");
  const dryRun = str(p, "dry-run");
  const port = str(p, "port");
  if (dryRun === undefined && (port === undefined || port === "")) {
    throw new UsageError(
      "missing --port <port> (or --dry-run <file>) (see: mtdoops flash --help)",
      "flash",
    );
  }
  if (dryRun === "") throw new UsageError("--dry-run needs a file name", "flash");
  const baud = intOpt(p, "baud", "flash", 50, 4_000_000);
  const board = loadBoard(boardArg(boardId, io.cwd));
  const bundleArg = str(p, "bundle");
  const path = await import("node:path");
  const bundle = bundleArg === undefined ? undefined : path.resolve(io.cwd, bundleArg);
  if (bundle !== undefined && !existsSync(bundle))
    throw new CliError(`cannot read the bundle ${bundleArg}: no such file`);
  const view = new ProgressView(io.stderr);
  let res;
  try {
    res = await flashBoard({
      board,
      port,
      dryRun: dryRun === undefined ? undefined : path.resolve(io.cwd, dryRun),
      bundle,
      baud,
      onProgress: (e) => view.upload(e),
    });
  } finally {
    view.finish();
  }
  if (dryRun !== undefined) {
    io.stdout.write(
      `wrote the upload code for ${board.id} (${formatBytes(res.bytes)}) to ${dryRun}; no port was used\n`,
    );
    return 0;
  }
  io.stdout.write(
    `espruino-mtdoops ${res.running ?? ""}${res.running ? " " : ""}installed on ${board.id} at ${port} as .boot0 ` +
      `(${formatBytes(res.bytes)} in ${res.seconds.toFixed(1)} s)\n`,
  );
  if (res.running === null) {
    io.stderr.write(
      "note: the board did not confirm that mtdoops runs; check with: mtdoops logs --port " +
        port +
        "\n",
    );
  }
  return 0;
}
