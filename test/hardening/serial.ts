// `mtdoops logs` against scripted misbehaving devices (devices.ts) over a real TCP socket
// and a real pseudo-terminal (socat, opened through serialport), in real time with the
// default limits: every run must end within its deadline, with the exit status and the
// message its device calls for, and with nothing corrupt saved (every .bin file of the
// archive is one of the device's records, byte for byte). One more run sends SIGINT to a
// real `mtdoops logs` process stuck on an endless console: it must stop at once and say
// what it kept. Each run is (device, transport, seed): a failure names them.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BufferStream } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { realClock } from "../../src/host/retrieve.js";
import { PtyConsole, TcpConsoleServer, socatAvailable } from "../../src/host/sim-server.js";
import { DEVICE_KINDS, EXPECT, ScriptedDevice, boardRecords } from "./devices.js";
import type { DeviceKind } from "./devices.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface SerialResult {
  runs: number;
  failures: number;
  messages: string[];
}

/** Each run's deadline: the slowest device (no BEGIN twice, then the message) ends in ~11 s. */
const RUN_DEADLINE_MS = 45_000;

export interface Run {
  kind: DeviceKind;
  transport: "tcp" | "pty";
  seed: number;
}

function savedFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

export async function oneRun(run: Run, tmp: string): Promise<string> {
  const name = `${run.kind} over ${run.transport}, seed ${run.seed}`;
  const device = new ScriptedDevice(run.kind, run.seed, realClock);
  const out = path.join(tmp, `${run.kind}-${run.transport}-${run.seed}`);
  let port: string;
  let stop: () => Promise<void>;
  if (run.transport === "tcp") {
    const server = new TcpConsoleServer(device);
    const n = await server.listen(0);
    port = `tcp://127.0.0.1:${n}`;
    stop = () => server.close();
  } else {
    const link = path.join(tmp, `tty-${run.kind}-${run.seed}`);
    const pty = new PtyConsole(device, link);
    await pty.start();
    port = link;
    stop = () => pty.stop();
  }
  const stdout = new BufferStream();
  const stderr = new BufferStream();
  const io = { stdout, stderr, env: {}, cwd: tmp };
  const t0 = Date.now();
  let status: number;
  try {
    const args = ["--port", port, "--out", out];
    if (run.kind === "silent") args.push("--timeout", "1000");
    // The CLI's own entry: one line on stderr and an exit status, as a user sees it.
    const outcome = await Promise.race([
      main(["logs", ...args], io),
      new Promise<"deadline">((r) => setTimeout(() => r("deadline"), RUN_DEADLINE_MS).unref()),
    ]);
    if (outcome === "deadline") return `${name}: still running after ${RUN_DEADLINE_MS} ms`;
    status = outcome;
    const message = stderr.text.trim();
    const want = EXPECT[run.kind];
    if (want.code === null) {
      if (status !== 0) return `${name}: exit ${status}, expected 0: ${message}`;
    } else {
      if (status === 0) return `${name}: succeeded, expected ${want.code}`;
      const cli = want.cliMessage;
      if (cli && !cli.test(message))
        return `${name}: message ${JSON.stringify(message)} does not match ${cli}`;
      if (!want.message.test(message))
        return `${name}: message ${JSON.stringify(message)} does not match ${want.message}`;
      // Progress lines, then one error line; no device byte reaches the terminal raw.
      const lines = message.split("\n");
      if (lines.some((l) => [...l].some((c) => c.charCodeAt(0) < 0x20 || c === "\x7f")))
        return `${name}: control characters on stderr: ${JSON.stringify(message)}`;
      if (!(lines[lines.length - 1] ?? "").startsWith("mtdoops: "))
        return `${name}: the last line is not the error: ${JSON.stringify(message)}`;
    }
    // Nothing corrupt saved: each .bin is one of the device's records, byte for byte.
    const truth = new Map(boardRecords().map((r) => [r.seq, Buffer.from(r.raw)]));
    const bins = savedFiles(out).filter((f) => f.endsWith(".bin"));
    for (const f of bins) {
      const seq = Number(/dmesg-mtdoops-(\d+)\.bin$/.exec(f)?.[1]);
      const want = truth.get(seq);
      if (!want || !want.equals(readFileSync(f)))
        return `${name}: ${f} is not the device's record ${seq}`;
    }
    const savedSeqs = bins.map((f) => Number(/(\d+)\.bin$/.exec(f)?.[1])).sort((a, b) => a - b);
    if (JSON.stringify(savedSeqs) !== JSON.stringify(EXPECT[run.kind].saved))
      return `${name}: saved seqs ${JSON.stringify(savedSeqs)}, expected ${JSON.stringify(EXPECT[run.kind].saved)}`;
    if (Date.now() - t0 > RUN_DEADLINE_MS) return `${name}: took ${Date.now() - t0} ms`;
    return "";
  } finally {
    device.stop();
    await stop();
  }
}

/** A real `mtdoops logs` process on an endless console, interrupted by SIGINT. */
async function ctrlCRun(tmp: string): Promise<string> {
  const device = new ScriptedDevice("console-loop", 7, realClock);
  const server = new TcpConsoleServer(device);
  const n = await server.listen(0);
  try {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(ROOT, "src/cli/main.ts"),
        "logs",
        "--port",
        `tcp://127.0.0.1:${n}`,
        "--out",
        path.join(tmp, "ctrlc"),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    // Once the retrieval is under way (BEGIN came and console lines stream), press Ctrl-C.
    await new Promise((r) => setTimeout(r, 4000));
    const t = Date.now();
    child.kill("SIGINT");
    const status = await new Promise<number | null>((resolve) => {
      const k = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(null);
      }, 10_000);
      child.on("close", (code) => {
        clearTimeout(k);
        resolve(code);
      });
    });
    const ms = Date.now() - t;
    if (status === null) return "Ctrl-C run: still running 10 s after SIGINT";
    if (ms > 1500) return `Ctrl-C run: took ${ms} ms to stop after SIGINT`;
    if (!/interrupted: no record was saved, nothing was cleared on the board/.test(stderr))
      return `Ctrl-C run: stderr ${JSON.stringify(stderr)} does not say what was kept`;
    if (status === 0) return "Ctrl-C run: exit 0";
    return "";
  } finally {
    device.stop();
    await server.close();
  }
}

export async function runSerial(seeds: number[]): Promise<SerialResult> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "mtdoops-serial-"));
  const transports: Array<"tcp" | "pty"> = socatAvailable() ? ["tcp", "pty"] : ["tcp"];
  const runs: Run[] = [];
  for (const seed of seeds)
    for (const transport of transports)
      for (const kind of DEVICE_KINDS) runs.push({ kind, transport, seed });
  const res: SerialResult = { runs: 0, failures: 0, messages: [] };
  if (!socatAvailable()) {
    res.failures++;
    res.messages.push("socat is not installed: the pty runs cannot run (apt-get install socat)");
  }
  try {
    // All at once: the devices talk in real time and the limits are real seconds.
    const outcomes = await Promise.all([
      ...runs.map((r) =>
        oneRun(r, tmp).catch((e: unknown) => `${r.kind} over ${r.transport}: threw ${String(e)}`),
      ),
      ctrlCRun(tmp).catch((e: unknown) => `Ctrl-C run: threw ${String(e)}`),
    ]);
    for (const o of outcomes) {
      res.runs++;
      if (o) {
        res.failures++;
        if (res.messages.length < 20) res.messages.push(o);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return res;
}
