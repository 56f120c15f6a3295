// mtdoops logs --port <port> [--board <id>] [--out <dir>] [--since <seq>] [--clear] [--json]
//              [--timeout <ms>] [--deadline <s>] [--baud <n>]

import path from "node:path";
import { loadBoard } from "../boards/load.js";
import { RetrievalArchive } from "../host/archive.js";
import { portConnector } from "../host/open-transport.js";
import { retrieve, RetrieveError } from "../host/retrieve.js";
import type { RetrieveResult } from "../host/retrieve.js";
import type { Connect } from "../host/transport.js";
import { DEFAULT_BAUD } from "../host/transport-serial.js";
import { boardArg, flag, intOpt, parse, requireStr, str } from "./args.js";
import type { OptionSpec } from "./args.js";
import { CliError, UsageError } from "./io.js";
import { checkOutputDir } from "./output-dir.js";
import type { CliIo } from "./io.js";
import { ProgressView, formatRecordBlocks } from "./render.js";

export const DEFAULT_OUT = "mtdoops-logs";

export const LOGS_HELP = `Usage:
  mtdoops logs --port <port> [--board <id>] [--out <dir>] [--since <seq>] [--clear]
               [--json] [--timeout <ms>] [--deadline <s>] [--baud <n>]

Retrieves the crash records from a board running espruino-mtdoops, verifies each one
and saves it at once, systemd-pstore style:
  <out>/<UTC time>-<board>/dmesg-mtdoops-<seq>.txt   context header, then the console
  <out>/<UTC time>-<board>/dmesg-mtdoops-<seq>.bin   the record's bytes
  <out>/<UTC time>-<board>/index.json                all records as JSON
A corrupt line, a timeout or a dropped connection resumes from the last saved record.
A device that keeps talking without answering (another device on the port, the wrong
baud rate, a board printing in a loop) is given up with a message that says so; Ctrl-C
stops at once and says what was saved.

Options:
  -p, --port <port>   serial device (/dev/ttyACM0, COM3) or tcp://host:port
  --board <id>        the board's id (for messages; see boards/)
  --out <dir>         archive folder (default ./${DEFAULT_OUT})
  --since <seq>       only records newer than this seq
  --clear             afterwards, free the saved records on the board (only once
                      every record is verified and on disk)
  --json              print the records as a JSON array on stdout
  --timeout <ms>      silence that counts as a timeout (default 5000)
  --deadline <s>      give up after this many seconds in all (default 600)
  --baud <n>          serial baud rate (default ${DEFAULT_BAUD})
  -h, --help          this help

Exit status: 0 ok, 1 failure (nothing was cleared unless all was saved; the message
lists the records saved and those missing), 2 bad usage.
`;

export interface LogsDeps {
  /** Overrides how the port is opened (the demo passes an in-process transport). */
  connect?: Connect;
  /** Time the retrieval folder is named after (tests). */
  now?: Date;
}

export interface LogsOutcome {
  result: RetrieveResult;
  folder: string | null;
}

export async function runLogs(
  io: CliIo,
  o: {
    port: string;
    board?: string | undefined;
    out: string;
    since?: number | undefined;
    clear: boolean;
    json: boolean;
    timeoutMs?: number | undefined;
    deadlineMs?: number | undefined;
    baud?: number | undefined;
    quietProgress?: boolean;
  },
  deps: LogsDeps = {},
): Promise<LogsOutcome> {
  const archive = new RetrievalArchive(path.resolve(io.cwd, o.out), {
    ...(o.board !== undefined ? { board: o.board } : {}),
    ...(deps.now ? { started: deps.now } : {}),
  });
  const view = new ProgressView(io.stderr, { quiet: o.quietProgress === true });
  let beginBoard: string | null = null;
  let result: RetrieveResult;
  try {
    result = await retrieve({
      connect: deps.connect ?? portConnector(o.port, { baud: o.baud }),
      port: o.port,
      since: o.since,
      clear: o.clear,
      timeoutMs: o.timeoutMs,
      deadlineMs: o.deadlineMs,
      signal: io.signal,
      boardHint: o.board,
      sink: {
        begin(info) {
          beginBoard = info.board;
          archive.setBoard(info.board);
        },
        save: (record, raw) => archive.save(record, raw),
      },
      onProgress: (e) => view.retrieve(e),
    });
  } catch (e) {
    view.finish();
    if (e instanceof RetrieveError && e.code !== "ESAVE") {
      throw new CliError(e.message + keptSummary(e, archive.folder));
    }
    throw e;
  }
  view.finish();
  if (o.board && beginBoard && beginBoard !== o.board) {
    io.stderr.write(`warning: the board says it is ${beginBoard}, not ${o.board}\n`);
  }
  return { result, folder: archive.folder };
}

/** Seqs as ranges: "1-4, 6". */
export function seqRanges(seqs: readonly number[]): string {
  const sorted = [...seqs].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(", ");
}

/** What a retrieval that stopped kept, and what it did not get. */
function keptSummary(e: RetrieveError, folder: string | null): string {
  const parts: string[] = [];
  if (e.saved.length > 0 && folder)
    parts.push(`verified and saved: seq ${seqRanges(e.saved)} in ${folder}`);
  if (e.missing.length > 0)
    parts.push(
      `missing: seq ${seqRanges(e.missing)} (their lines never arrived intact; run again to fetch them)`,
    );
  return parts.length > 0 ? "; " + parts.join("; ") : "";
}

/** The options `mtdoops logs` takes (besides -h, --help); its help lists each. */
export const LOGS_OPTIONS: OptionSpec = {
  port: { type: "string", short: "p" },
  board: { type: "string" },
  out: { type: "string" },
  since: { type: "string" },
  clear: { type: "boolean" },
  json: { type: "boolean" },
  timeout: { type: "string" },
  deadline: { type: "string" },
  baud: { type: "string" },
};

export async function logsCommand(argv: string[], io: CliIo, deps: LogsDeps = {}): Promise<number> {
  const p = parse("logs", argv, LOGS_OPTIONS, 0);
  if (flag(p, "help")) {
    io.stdout.write(LOGS_HELP);
    return 0;
  }
  const port = requireStr(p, "port", "logs", "<port> (a serial device or tcp://host:port)");
  const board = str(p, "board");
  if (board !== undefined) loadBoard(boardArg(board, io.cwd)); // unknown board: the error lists the known ids
  const since = intOpt(p, "since", "logs", 0, 0xffffffff);
  const clear = flag(p, "clear");
  if (clear && since !== undefined) {
    throw new UsageError(
      "--clear with --since would free the records up to --since that this run does not save; run --clear without --since",
      "logs",
    );
  }
  const timeoutMs = intOpt(p, "timeout", "logs", 100, 600_000);
  const deadline = intOpt(p, "deadline", "logs", 1, 86_400);
  const deadlineMs = deadline === undefined ? undefined : deadline * 1000;
  const baud = intOpt(p, "baud", "logs", 50, 4_000_000);
  const json = flag(p, "json");
  const out = str(p, "out") ?? DEFAULT_OUT;
  checkOutputDir("--out", out, io.cwd);

  const { result, folder } = await runLogs(
    io,
    { port, board, out, since, clear, json, timeoutMs, deadlineMs, baud },
    deps,
  );

  if (json) {
    io.stdout.write(JSON.stringify(result.records, null, 2) + "\n");
  } else if (result.records.length > 0) {
    io.stdout.write(formatRecordBlocks(result.records));
  }
  if (result.records.length === 0) {
    io.stderr.write(
      since !== undefined
        ? `no records newer than seq ${since} on the board\n`
        : "no records on the board\n",
    );
  } else {
    io.stderr.write(`saved ${result.records.length} record(s) in ${folder}\n`);
  }
  if (result.cleared !== null && result.records.length > 0) {
    io.stderr.write(
      `freed ${result.cleared} record(s) on the board, up to seq ${result.newestSeq}\n`,
    );
    if (result.cleared !== result.records.length) {
      io.stderr.write(
        `note: the board freed ${result.cleared} record(s) but ${result.records.length} were saved (records freed by an earlier, interrupted clear are not counted again)\n`,
      );
    }
  }
  return 0;
}
