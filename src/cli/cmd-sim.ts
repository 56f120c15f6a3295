// mtdoops sim [--board <id>] [--tcp <port>] [--pty <path>] [--image <file>] [--seed <n>] [--bare]

import { existsSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { boardGeometry } from "../boards/geometry.js";
import { loadBoard } from "../boards/load.js";
import type { BoardDefinition } from "../boards/schema.js";
import { SimulatedNorFlash } from "../sim/nor-flash.js";
import { VirtualBoard } from "../sim/virtual-board.js";
import { PtyConsole, SimError, TcpConsoleServer } from "../host/sim-server.js";
import type { ConsoleEndpoint } from "../host/sim-server.js";
import { boardArg, flag, intOpt, parse, str } from "./args.js";
import type { OptionSpec } from "./args.js";
import { CliError } from "./io.js";
import { checkOutputDir } from "./output-dir.js";
import type { CliIo } from "./io.js";

export const DEFAULT_SIM_BOARD = "puckjs";
export const DEFAULT_SIM_TCP = 2323;

export const SIM_HELP = `Usage:
  mtdoops sim [--board <id>] [--tcp <port>] [--pty <path>] [--image <file>] [--seed <n>] [--bare]

Runs a virtual board: the board's firmware bundle on an Espruino API shim over a
simulated flash, in real time. Its console (the REPL, as on USB) is served
  - on a TCP port: each connection is the console, as Espruino's --telnet
    (mtdoops logs --port tcp://127.0.0.1:<port>);
  - on a pseudo-terminal at <path>, through socat (mtdoops logs --port <path>).
Type JavaScript at it to make it crash, e.g. setTimeout(function(){throw new Error("x")},10)
or mtdoops.panic("x"). It runs until Ctrl-C (SIGINT) or SIGTERM.

Options:
  --board <id>      the board to simulate (default ${DEFAULT_SIM_BOARD})
  --tcp <port>      serve the console on 127.0.0.1:<port> (default ${DEFAULT_SIM_TCP} when
                    --pty is not given; 0 picks a free port)
  --pty <path>      serve the console on a pseudo-terminal linked at <path> (needs socat)
  --image <file>    keep the simulated flash in <file>: loaded at start when it exists,
                    saved while running and at exit, so records survive a restart
  --seed <n>        seed of the simulated flash's fault generator
  --bare            start without espruino-mtdoops installed (to try mtdoops flash)
  -h, --help        this help
`;

function boardFlash(
  board: BoardDefinition,
  image: string | undefined,
  seed: number | undefined,
): SimulatedNorFlash {
  const opts = {
    geometry: boardGeometry(board),
    part: board.part,
    ...(seed !== undefined ? { seed } : {}),
  };
  if (image && existsSync(image)) {
    const size = statSync(image).size;
    if (size !== board.size) {
      throw new CliError(
        `${image} is ${size} bytes but board ${board.id}'s partition is ${board.size}: it belongs to another board; use another --image file`,
      );
    }
    return SimulatedNorFlash.loadImage(image, opts);
  }
  return new SimulatedNorFlash(opts);
}

/** --image: a regular file, or a name to create one at; a folder or a device is neither. */
function checkImageFile(arg: string, image: string): void {
  let st;
  try {
    st = statSync(image);
  } catch {
    checkOutputDir("--image", path.dirname(image), "/");
    return;
  }
  if (st.isDirectory())
    throw new CliError(`--image ${arg} is a directory: give a file name for the flash image`);
  if (!st.isFile())
    throw new CliError(
      `--image ${arg} is not a regular file: give a file name for the flash image`,
    );
}

function saveImage(flash: SimulatedNorFlash, file: string): void {
  const tmp = file + ".tmp";
  writeFileSync(tmp, flash.toImage());
  renameSync(tmp, file);
}

/** The options `mtdoops sim` takes (besides -h, --help); its help lists each. */
export const SIM_OPTIONS: OptionSpec = {
  board: { type: "string" },
  tcp: { type: "string" },
  pty: { type: "string" },
  image: { type: "string" },
  seed: { type: "string" },
  bare: { type: "boolean" },
};

export async function simCommand(argv: string[], io: CliIo): Promise<number> {
  const p = parse("sim", argv, SIM_OPTIONS, 0);
  if (flag(p, "help")) {
    io.stdout.write(SIM_HELP);
    return 0;
  }
  const board = loadBoard(boardArg(str(p, "board") ?? DEFAULT_SIM_BOARD, io.cwd));
  const ptyPath = str(p, "pty");
  let tcpPort = intOpt(p, "tcp", "sim", 0, 65535);
  if (tcpPort === undefined && ptyPath === undefined) tcpPort = DEFAULT_SIM_TCP;
  const seed = intOpt(p, "seed", "sim", 0, 0xffffffff);
  const imageArg = str(p, "image");
  const image = imageArg === undefined ? undefined : path.resolve(io.cwd, imageArg);
  if (image !== undefined && imageArg !== undefined) checkImageFile(imageArg, image);
  const flash = boardFlash(board, image, seed);

  const vb = new VirtualBoard({
    board,
    flash,
    realTime: true,
    epochMs: Date.now(),
    ...(flag(p, "bare") ? {} : { installFirmware: true }),
    ...(seed !== undefined ? { seed } : {}),
  });
  const endpoint: ConsoleEndpoint = {
    input: (text) => vb.input(text),
    onOutput: (listener) => {
      vb.onOutput(listener);
      return () => vb.offOutput(listener);
    },
  };
  const tcp = tcpPort !== undefined ? new TcpConsoleServer(endpoint) : null;
  const pty =
    ptyPath !== undefined ? new PtyConsole(endpoint, path.resolve(io.cwd, ptyPath)) : null;
  let saver: ReturnType<typeof setInterval> | null = null;
  let lastOps = -1;
  try {
    vb.boot();
    const where: string[] = [];
    if (tcp && tcpPort !== undefined) {
      const port = await tcp.listen(tcpPort);
      where.push(`tcp://127.0.0.1:${port}`);
    }
    if (pty) {
      await pty.start();
      where.push(pty.link + (pty.device ? ` (${pty.device})` : ""));
    }
    if (image) {
      saver = setInterval(() => {
        if (flash.opsCount !== lastOps) {
          lastOps = flash.opsCount;
          try {
            saveImage(flash, image);
          } catch {
            // reported at exit
          }
        }
      }, 500);
    }
    io.stdout.write(
      `virtual ${board.name} (${board.id})${flag(p, "bare") ? " without espruino-mtdoops" : ""}: console on ${where.join(" and ")}` +
        `${image ? `; flash kept in ${image}` : ""}; Ctrl-C stops\n`,
    );
    await new Promise<void>((resolve) => {
      if (!io.signal) return; // no way to stop: runs until the process is killed
      if (io.signal.aborted) return resolve();
      io.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } catch (e) {
    if (e instanceof SimError) throw new CliError(e.message);
    throw e;
  } finally {
    if (saver) clearInterval(saver);
    await tcp?.close();
    await pty?.stop();
    vb.close();
    if (image) {
      try {
        saveImage(flash, image);
      } catch (e) {
        io.stderr.write(
          `mtdoops: could not save the flash image to ${image}: ${(e as Error).message}\n`,
        );
      }
    }
  }
  io.stdout.write("virtual board stopped\n");
  return 0;
}
