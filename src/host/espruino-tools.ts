// Running EspruinoTools (npm package "espruino", its CLI bin/espruino-cli.js) as a child
// process. Its Node API keeps global state (one connection per process, console.log
// swallowed unless verbose), so a child process is the cleaner boundary.
//
// Notes (EspruinoTools bin/espruino-cli.js and core/utils.js, checked by running it):
// --no-ble is needed where no Bluetooth stack exists (it dies at start without a D-Bus
// system socket otherwise); with neither a file nor -e it becomes an interactive terminal,
// so an upload always passes -e; before sending it sends "\n" and, without a ">" prompt
// within 500 ms, Ctrl-C (twice).

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { FlashToolError } from "./firmware-build.js";
import { FirmwareFile } from "../boards/firmware-files.js";
import { firmwareFilePaths } from "./firmware-paths.js";

export function espruinoCliPath(): string {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve("espruino/bin/espruino-cli.js");
  } catch {
    throw new FlashToolError(
      'EspruinoTools (the npm package "espruino") is not installed: run npm install',
    );
  }
}

export interface ToolRun {
  code: number | null;
  output: string;
}

/** Runs the EspruinoTools CLI with `args`; resolves when it exits (or is killed at the timeout). */
export function runEspruinoTools(
  args: string[],
  options: { cwd?: string; timeoutMs?: number; onOutput?: (text: string) => void } = {},
): Promise<ToolRun> {
  const cli = espruinoCliPath();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? process.cwd(),
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    let output = "";
    const take = (b: Buffer): void => {
      const t = b.toString();
      output += t;
      if (output.length > 200_000) output = output.slice(-100_000);
      options.onOutput?.(t);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    let timer: ReturnType<typeof setTimeout> | null = null;
    if (options.timeoutMs) {
      timer = setTimeout(() => {
        output += `\n[killed after ${options.timeoutMs} ms]`;
        child.kill("SIGKILL");
      }, options.timeoutMs);
    }
    child.on("error", (e) => {
      if (timer) clearTimeout(timer);
      reject(new FlashToolError(`cannot run EspruinoTools: ${e.message}`));
    });
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, output });
    });
    // Keep stdin open but idle (its terminal mode would read it); it is closed on exit.
  });
}

/**
 * The EspruinoTools arguments that upload `bundle` as Storage file `.boot0`, with the
 * files the build wrote beside it (<bundle minus .js>.core.js as .mtdcore, .mount.js as .mtdmount,
 * .read.js as .mtdread: src/boards/firmware-files.ts) when they are there, and
 * restart into it.
 */
export function uploadArgs(bundle: string, outFile: string, extra: string[] = []): string[] {
  const files: string[] = [];
  for (const [name, file] of firmwareFilePaths(bundle))
    if (name !== FirmwareFile.Boot) files.push("--storage", `${name}:${file}`);
  return [
    "--no-ble",
    ...extra,
    ...files,
    "--storage",
    `${FirmwareFile.Boot}:${bundle}`,
    "-e",
    "load()",
    "-o",
    outFile,
  ];
}

/** Writes the exact code EspruinoTools would send (its -o), touching no port. */
export async function generateUploadCode(bundle: string, outFile: string): Promise<void> {
  const run = await runEspruinoTools(uploadArgs(bundle, outFile), { timeoutMs: 60_000 });
  if (run.code !== 0) {
    throw new FlashToolError(
      `EspruinoTools could not generate the upload code: ${lastLines(run.output)}`,
    );
  }
}

export function lastLines(output: string, n = 2): string {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^-+$/.test(l));
  return lines.slice(-n).join(" / ") || "(no output)";
}
