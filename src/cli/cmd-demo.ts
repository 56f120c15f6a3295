// mtdoops demo [--board <id>] [--out <dir>] [--app <file>]: what `npm start` runs.
//
// A virtual board (in-process, virtual time: seconds of board time take milliseconds)
// boots with espruino-mtdoops installed as .boot0, runs examples/sample-app.js, which
// crashes in several ways, then the watchdog resets it. The crash logs are then retrieved
// over the console protocol, through an in-process transport, by the same code as
// `mtdoops logs --clear`, saved under ./mtdoops-logs and printed.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadBoard } from "../boards/load.js";
import { VirtualBoard, firmwareFilesAt } from "../sim/virtual-board.js";
import { bundleStale, ensureBundle } from "../host/firmware-build.js";
import { repoRoot } from "../host/repo.js";
import { virtualConnector } from "../host/transport-virtual.js";
import { boardArg, flag, parse, str } from "./args.js";
import type { OptionSpec } from "./args.js";
import { DEFAULT_OUT, runLogs } from "./cmd-logs.js";
import { CliError } from "./io.js";
import { checkOutputDir } from "./output-dir.js";
import type { CliIo } from "./io.js";
import type { DecodedRecord } from "../host/decoded-record.js";
import { formatRecordBlocks } from "./render.js";

export const DEMO_HELP = `Usage:
  mtdoops demo [--board <id>] [--out <dir>] [--app <file>]

The first thing to run (npm start does): a virtual board boots with espruino-mtdoops,
a sample app crashes on it in several ways (an uncaught exception in a timer,
mtdoops.oops(), a SyntaxError, an interpreter error flag, mtdoops.panic()), the
watchdog resets the board, and the crash logs are retrieved over the console protocol,
saved and printed. Takes a few seconds.

Options:
  --board <id>   the board to simulate (default puckjs)
  --out <dir>    where the logs go (default ./${DEFAULT_OUT})
  --app <file>   the app to run (default examples/sample-app.js)
  -h, --help     this help
`;

const APP_SECONDS = 6;

/** One line per record: seq, reason, time, message. */
export function summaryTable(records: readonly DecodedRecord[]): string {
  const rows = records.map((r) => {
    const ctx = (r["context"] ?? {}) as Record<string, unknown>;
    const msg = typeof ctx["msg"] === "string" ? ctx["msg"] : "";
    return [
      String(r.seq),
      r.reason,
      r.time ? r.time.replace(/\.000Z$/, "Z") : "-",
      msg.length > 60 ? msg.slice(0, 57) + "..." : msg,
    ];
  });
  const head = ["seq", "reason", "time", "message"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c))
      .join("  ")
      .trimEnd();
  return [fmt(head), ...rows.map(fmt)].join("\n") + "\n";
}

/** The options `mtdoops demo` takes (besides -h, --help); its help lists each. */
export const DEMO_OPTIONS: OptionSpec = {
  board: { type: "string" },
  out: { type: "string" },
  app: { type: "string" },
};

export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const p = parse("demo", argv, DEMO_OPTIONS, 0);
  if (flag(p, "help")) {
    io.stdout.write(DEMO_HELP);
    return 0;
  }
  const board = loadBoard(boardArg(str(p, "board") ?? "puckjs", io.cwd));
  const appArg = str(p, "app");
  const appFile = appArg
    ? path.resolve(io.cwd, appArg)
    : path.join(repoRoot(), "examples", "sample-app.js");
  if (!existsSync(appFile))
    throw new CliError(`cannot read the app ${appArg ?? appFile}: no such file`);
  const app = readFileSync(appFile, "latin1");
  const out = str(p, "out") ?? DEFAULT_OUT;
  checkOutputDir("--out", out, io.cwd);
  const w = (s: string): void => io.stdout.write(s);

  w(`espruino-mtdoops demo: a virtual ${board.name} (board "${board.id}", virtual time)\n\n`);
  w(`[1/4] power on; espruino-mtdoops runs from Storage (.boot0 runs .mtdcore)\n`);
  // The files `mtdoops flash` would upload: firmware/dist/<id>.js and its modules, built
  // first by the one firmware build when missing or stale.
  if (bundleStale(board.id) !== null)
    w(`      (building the firmware: npm run build:firmware -- --board ${board.id})\n`);
  const vb = new VirtualBoard({
    board,
    epochMs: Date.now(),
    firmware: firmwareFilesAt(await ensureBundle(board.id)),
  });
  let shown = "";
  const show = (text: string): void => {
    // "\r ESC [J" starts the board's asynchronous output: a new line here.
    shown += text.split("\r\x1b[J").join("\n").split("\x1b[J").join("\n").replace(/\r/g, "");
    let nl = shown.indexOf("\n");
    while (nl >= 0) {
      const line = shown.slice(0, nl).replace(/^>+/, "");
      shown = shown.slice(nl + 1);
      if (line.trim() && !line.includes("MTDOOPS:")) {
        w(`      board | ${line.length > 96 ? line.slice(0, 93) + "..." : line}\n`);
      }
      nl = shown.indexOf("\n");
    }
  };
  try {
    vb.onOutput(show);
    vb.boot();
    vb.advance(500);
    const running = vb.eval("typeof mtdoops=='object'&&mtdoops?mtdoops.version:'none'");
    if (running === "none")
      throw new CliError("espruino-mtdoops did not start on the virtual board");
    const shownApp = appArg ?? path.relative(repoRoot(), appFile);
    w(`\n[2/4] running ${shownApp}: it crashes in several ways\n`);
    vb.eval(app);
    for (let t = 0; t < APP_SECONDS * 10; t++) vb.advance(100);
    show("\n");
    w(`\n[3/4] the main loop hangs; the watchdog resets the board\n`);
    vb.reboot("watchdog");
    vb.advance(1000);
    show("\n");
    vb.offOutput(show);

    w(`\n[4/4] retrieving the crash logs over the console protocol (as: mtdoops logs --clear)\n\n`);
    const { result, folder } = await runLogs(
      io,
      {
        port: `virtual:${board.id}`,
        board: board.id,
        out,
        clear: true,
        json: false,
        timeoutMs: 3000,
      },
      { connect: virtualConnector(vb, `virtual:${board.id}`) },
    );
    w("\n" + formatRecordBlocks(result.records) + "\n");
    w(summaryTable(result.records) + "\n");
    const rel = folder ? path.relative(io.cwd, folder) || folder : "";
    w(
      `${result.records.length} crash record(s) retrieved, verified and saved; the board freed ${result.cleared ?? 0}.\n`,
    );
    if (folder) {
      w(`The files are in ${rel.startsWith("..") ? folder : "./" + rel}/:\n`);
      w(`  dmesg-mtdoops-<seq>.txt  the context and the console text of each record\n`);
      w(`  dmesg-mtdoops-<seq>.bin  the record's bytes as stored on flash\n`);
      w(`  index.json               all records as JSON\n`);
    }
    w(
      `\nNext: run "npx mtdoops sim --tcp 2323" and "npx mtdoops logs --port tcp://127.0.0.1:2323",\n`,
    );
    w(
      `or on a real board: "npx mtdoops flash --board puckjs --port /dev/ttyACM0" (see docs/CLI.md).\n`,
    );
    return 0;
  } finally {
    vb.close();
  }
}
