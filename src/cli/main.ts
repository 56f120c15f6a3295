#!/usr/bin/env node
// The `mtdoops` command. Every failure ends as ONE line on stderr naming what was wrong and
// what to do, with exit status 1 (2 for bad usage); a stack trace only with MTDOOPS_DEBUG=1.

import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CliError, UsageError } from "./io.js";
import type { CliIo } from "./io.js";

export const MAIN_HELP = `mtdoops: crash logs for Espruino boards (mtdoops-style records in flash)

Usage:
  mtdoops flash  --board <id> --port <port> [--dry-run <file>] [--baud <n>] [--bundle <file>]
  mtdoops logs   --port <port> [--board <id>] [--out <dir>] [--since <seq>] [--clear] [--json]
                 [--timeout <ms>] [--deadline <s>] [--baud <n>]
  mtdoops decode <image> [--board <id>] [--record-size <n>] [--json]
  mtdoops decode <image> --format linux --record-size <n> [--endian le|be] [--json]
  mtdoops sim    [--board <id>] [--tcp <port>] [--pty <path>] [--image <file>] [--seed <n>] [--bare]
  mtdoops demo   [--board <id>] [--out <dir>] [--app <file>]
  mtdoops --help | --version

  flash    install espruino-mtdoops on a board (uploads it as the boot file .boot0)
  logs     retrieve the crash records from a board, save them, optionally free them
  decode   decode the records in a partition image (ours, or Linux mtdoops)
  sim      run a virtual board on a TCP port and/or a pseudo-terminal
  demo     a virtual board crashes a few ways; its logs are retrieved and printed

Run "mtdoops <command> --help" for the options of a command.
`;

const COMMANDS = ["flash", "logs", "decode", "sim", "demo"] as const;

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ").trim();
}

function errorMessage(e: unknown): { text: string; status: number; internal: boolean } {
  if (e instanceof UsageError) return { text: e.message, status: 2, internal: false };
  if (e instanceof CliError) return { text: e.message, status: 1, internal: false };
  if (e instanceof Error) {
    const known = new Set([
      "RetrieveError",
      "TransportError",
      "DecodeImageError",
      "ArchiveError",
      "LinuxMtdoopsError",
      "FlashToolError",
      "SimError",
    ]);
    const code = (e as { code?: unknown }).code;
    if (known.has(e.name) || code === "EBOARD")
      return { text: e.message, status: 1, internal: false };
    return { text: e.message || String(e), status: 1, internal: true };
  }
  return { text: String(e), status: 1, internal: true };
}

/** Runs the CLI with `argv` (without "node" and the script). Resolves with the exit status. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const [cmd, ...rest] = argv;
    if (cmd === undefined) {
      io.stderr.write(MAIN_HELP);
      return 2;
    }
    if (cmd === "--help" || cmd === "-h" || cmd === "help") {
      const sub = rest[0];
      if (cmd === "help" && sub !== undefined) {
        if ((COMMANDS as readonly string[]).includes(sub)) return await main([sub, "--help"], io);
        throw new UsageError(
          `no help for ${JSON.stringify(sub)}: the commands are ${COMMANDS.join(", ")} (see: mtdoops --help)`,
        );
      }
      io.stdout.write(MAIN_HELP);
      return 0;
    }
    if (cmd === "--version" || cmd === "-v") {
      io.stdout.write(`${await packageVersion()}\n`);
      return 0;
    }
    switch (cmd) {
      case "decode":
        return await (await import("./cmd-decode.js")).decodeCommand(rest, io);
      case "logs":
        return await (await import("./cmd-logs.js")).logsCommand(rest, io);
      case "flash":
        return await (await import("./cmd-flash.js")).flashCommand(rest, io);
      case "sim":
        return await (await import("./cmd-sim.js")).simCommand(rest, io);
      case "demo":
        return await (await import("./cmd-demo.js")).demoCommand(rest, io);
      default:
        if (cmd.startsWith("-"))
          throw new UsageError(
            `unknown option ${JSON.stringify(cmd)}; the options before a command are --help and --version (see: mtdoops --help)`,
          );
        throw new UsageError(
          `unknown command ${JSON.stringify(cmd)}; the commands are ${COMMANDS.join(", ")} (see: mtdoops --help)`,
        );
    }
  } catch (e) {
    const m = errorMessage(e);
    const debug = io.env["MTDOOPS_DEBUG"] === "1";
    const prefix = "mtdoops: ";
    const text = m.internal
      ? `internal error: ${oneLine(m.text)} (this is a bug; run with MTDOOPS_DEBUG=1 for details)`
      : oneLine(m.text);
    io.stderr.write(prefix + text + "\n");
    if (debug && e instanceof Error && e.stack) io.stderr.write(e.stack + "\n");
    return m.status;
  }
}

async function packageVersion(): Promise<string> {
  const { readFileSync, existsSync } = await import("node:fs");
  const { dirname, join } = await import("node:path");
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, "package.json");
    if (existsSync(p)) {
      const v = (JSON.parse(readFileSync(p, "utf8")) as { version?: string }).version;
      if (v) return v;
    }
    dir = dirname(dir);
  }
  return "unknown";
}

/** The process's own io: its streams, its environment, SIGINT/SIGTERM as the abort signal. */
export function processIo(): CliIo & { dispose(): void } {
  const controller = new AbortController();
  // The first Ctrl-C asks the command to stop (a retrieval says what it kept); a second one,
  // or a command that has not ended a moment later, ends the process: it stays killable
  // whatever it is doing.
  const onSignal = (status: number): void => {
    if (controller.signal.aborted) process.exit(status);
    controller.abort();
    setTimeout(() => process.exit(status), 3000).unref();
  };
  const onInt = (): void => onSignal(130);
  const onTerm = (): void => onSignal(143);
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return {
    stdout: {
      write: (t) => void process.stdout.write(t),
      isTTY: process.stdout.isTTY === true,
      columns: process.stdout.columns,
    },
    stderr: {
      write: (t) => void process.stderr.write(t),
      isTTY: process.stderr.isTTY === true,
      columns: process.stderr.columns,
    },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}

function isEntry(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  const io = processIo();
  process.on("uncaughtException", (e) => {
    process.stderr.write(
      `mtdoops: internal error: ${oneLine(e instanceof Error ? e.message : String(e))}\n`,
    );
    if (process.env["MTDOOPS_DEBUG"] === "1" && e instanceof Error)
      process.stderr.write((e.stack ?? "") + "\n");
    process.exit(1);
  });
  process.on("unhandledRejection", (e) => {
    process.stderr.write(
      `mtdoops: internal error: ${oneLine(e instanceof Error ? e.message : String(e))}\n`,
    );
    if (process.env["MTDOOPS_DEBUG"] === "1" && e instanceof Error)
      process.stderr.write((e.stack ?? "") + "\n");
    process.exit(1);
  });
  main(process.argv.slice(2), io).then(
    (status) => {
      io.dispose();
      process.exitCode = status;
      // Wait for stdout to drain, then leave even if a handle lingers (a serial port).
      process.stdout.write("", () => process.exit(status));
    },
    () => process.exit(1),
  );
}
