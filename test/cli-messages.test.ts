// One clear message for each misuse the hardening campaign found (test/hardening/), and help
// texts that list every option each command takes.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, MAIN_HELP } from "../src/cli/main.js";
import { BufferStream } from "../src/cli/io.js";
import { DECODE_HELP, DECODE_OPTIONS } from "../src/cli/cmd-decode.js";
import { DEMO_HELP, DEMO_OPTIONS } from "../src/cli/cmd-demo.js";
import { FLASH_HELP, FLASH_OPTIONS } from "../src/cli/cmd-flash.js";
import { LOGS_HELP, LOGS_OPTIONS } from "../src/cli/cmd-logs.js";
import { SIM_HELP, SIM_OPTIONS } from "../src/cli/cmd-sim.js";
import type { OptionSpec } from "../src/cli/args.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "mtdoops-msg-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(argv: string[]) {
  const out = new BufferStream();
  const err = new BufferStream();
  const status = await main(argv, { stdout: out, stderr: err, env: {}, cwd: tmp });
  return { status, stdout: out.text, stderr: err.text };
}

describe("messages", () => {
  it("a negative number gets the option's own message, not Node's", async () => {
    const r = await run(["decode", "x.img", "--record-size", "-1"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'mtdoops: --record-size must be a power of two from 64 to 65536 (64, 128, ... 4096 ...), got "-1"\n',
    );
    const t = await run(["logs", "--port", "tcp://127.0.0.1:1", "--timeout", "-5"]);
    expect(t.stderr).toBe(
      'mtdoops: --timeout must be a whole number from 100 to 600000, got "-5" (mtdoops logs)\n',
    );
  });

  it("decode --record-size 0 quotes the range our format accepts", async () => {
    const r = await run(["decode", "x.img", "--record-size", "0"]);
    expect(r.stderr).toMatch(/power of two from 64 to 65536/);
  });

  it("--board, --image and <image> naming a directory", async () => {
    const dir = path.join(tmp, "d");
    mkdirSync(dir, { recursive: true });
    expect((await run(["decode", "x.img", "--board", dir + "/"])).stderr).toBe(
      `mtdoops: --board ${dir}/ is a directory: give a board id (see boards/) or a board's .json file\n`,
    );
    expect((await run(["sim", "--image", dir])).stderr).toBe(
      `mtdoops: --image ${dir} is a directory: give a file name for the flash image\n`,
    );
    expect((await run(["decode", dir])).stderr).toBe(
      `mtdoops: cannot read ${dir}: it is a directory; give an image file (or a partition's block device)\n`,
    );
  });

  it("special files are refused before they are opened: /dev/zero, a FIFO with no writer", async () => {
    const z = await run(["decode", "/dev/zero"]);
    expect(z.status).toBe(1);
    expect(z.stderr).toMatch(/it is a character device/);
    const fifo = path.join(tmp, "fifo");
    execFileSync("mkfifo", [fifo]);
    const f = await run(["decode", fifo]);
    expect(f.status).toBe(1);
    expect(f.stderr).toMatch(/it is a FIFO \(named pipe\)/);
  });

  it("logs --out under /proc is refused at once", async () => {
    const r = await run(["logs", "--port", "tcp://127.0.0.1:1", "--out", "/proc/x"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--out \/proc\/x is on the kernel's proc file system/);
  });

  it("help frob exits non-zero; --bogus is an unknown option", async () => {
    const h = await run(["help", "frob"]);
    expect(h.status).toBe(2);
    expect(h.stderr).toMatch(/no help for "frob"/);
    const b = await run(["--bogus"]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/^mtdoops: unknown option "--bogus"/);
  });
});

describe("help lists every option", () => {
  const commands: Array<[string, string, OptionSpec]> = [
    ["decode", DECODE_HELP, DECODE_OPTIONS],
    ["demo", DEMO_HELP, DEMO_OPTIONS],
    ["flash", FLASH_HELP, FLASH_OPTIONS],
    ["logs", LOGS_HELP, LOGS_OPTIONS],
    ["sim", SIM_HELP, SIM_OPTIONS],
  ];
  for (const [name, help, options] of commands) {
    it(`mtdoops ${name} --help and mtdoops --help`, () => {
      const usage = MAIN_HELP.split("\n")
        .filter(
          (l, i, all) =>
            l.includes(`mtdoops ${name} `) ||
            ((all[i - 1] ?? "").includes(`mtdoops ${name} `) && /^\s+\[/.test(l)),
        )
        .join("\n");
      for (const opt of Object.keys(options)) {
        expect(help, `mtdoops ${name} --help lacks --${opt}`).toMatch(new RegExp(`--${opt}\\b`));
        expect(usage, `mtdoops --help lacks ${name} --${opt}`).toMatch(new RegExp(`--${opt}\\b`));
      }
    });
  }
});
