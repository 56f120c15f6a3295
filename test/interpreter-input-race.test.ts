// The interpreter tier's driver (test/espruino/espruino-process.ts) against a stand-in
// interpreter that answers queries as the Linux build does, and can be told to meet the
// build's input race in either of its outcomes: the assertion that stops it, or the stale
// input it runs again (INPUT_REPLAY). The tier retries a step only on that race, so the
// driver must tell it from every other failure, and must not wait out a replay's loop.
// And it must not leave an interpreter behind when the script that started it ends.

import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  againOnInputRace,
  Espruino,
  INPUT_RACE,
  InputRaceError,
  isInputRace,
} from "./espruino/espruino-process.js";

// Answers `print('<Qn>'+(expr)+'</Qn>')` lines with the expression's value (a number or
// a quoted string); `replay` prints every answer given so far again, forever, as the
// Linux build does when its event buffer's tail passes its head; `assert` prints the
// build's assertion and exits, as it does on the race's other outcome.
// Like the real one, it does not end when its input does (the real one spins the CPU).
const STAND_IN = `#!/usr/bin/env node
setInterval(() => undefined, 1000);
const answers = [];
process.stdout.write(">");
let buf = "";
process.stdin.on("data", (d) => {
  buf += d.toString("latin1");
  let i;
  while ((i = buf.indexOf("\\n")) >= 0) {
    const line = buf.slice(0, i).replace(/^\\x10/, "");
    buf = buf.slice(i + 1);
    const m = /^print\\('<(Q\\d+)>'\\+\\((.*)\\)\\+'<\\/Q\\d+>'\\)$/.exec(line);
    if (!m) continue;
    const expr = m[2];
    if (expr === "'replay'") {
      setInterval(() => process.stdout.write(answers.join("")), 5);
      continue;
    }
    if (expr === "'assert'") {
      process.stdout.write("ASSERT(len <= 64) FAILED AT src/jsdevices.c:601\\n");
      process.exit(1);
    }
    const answer = "<" + m[1] + ">" + expr.replace(/^'|'$/g, "") + "</" + m[1] + ">\\r\\n";
    answers.push(answer);
    process.stdout.write(answer);
  }
});
`;

const dir = mkdtempSync(join(tmpdir(), "mtd-race-"));
const bin = join(dir, "espruino-stand-in");
writeFileSync(bin, STAND_IN);
chmodSync(bin, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `f` on a fresh stand-in, killed after. */
async function withStandIn<T>(f: (e: Espruino) => Promise<T>): Promise<T> {
  const e = await Espruino.start(bin, dir);
  try {
    return await f(e);
  } finally {
    await e.kill();
  }
}

describe("the interpreter driver and the Linux build's input race", () => {
  it("answers queries, and takes an answer seen again as the race (INPUT_REPLAY), at once", () =>
    withStandIn(async (e) => {
      expect(await e.query("42")).toBe("42");
      expect(await e.query("'x'")).toBe("x");
      expect(e.raced).toBe(false);
      const t0 = Date.now();
      const x = await e.query("'replay'", 5_000).catch((y: unknown) => y);
      expect(x).toBeInstanceOf(InputRaceError);
      expect(isInputRace(x)).toBe(true);
      expect(Date.now() - t0).toBeLessThan(4_000);
      expect(e.raced).toBe(true);
    }));

  it("does not take an answer it has already seen once, in a wait after its query, as the race", () =>
    withStandIn(async (e) => {
      expect(await e.query("1")).toBe("1");
      // No since() between: the wait starts where the query did, before its answer, and
      // polls that answer while the line typed next is on its way.
      e.send("\x10print('<Q5>'+(2)+'</Q5>')\n");
      const text = await e.waitFor("<Q5>2</Q5>", 2_000);
      expect(text).toContain(">1</Q");
      expect(e.raced).toBe(false);
    }));

  it("takes the assertion the race stops the interpreter on as the race", () =>
    withStandIn(async (e) => {
      const x = await e.query("'assert'").catch((y: unknown) => y);
      expect(isInputRace(x)).toBe(true);
      expect(String((x as Error).message)).toContain(INPUT_RACE);
      expect(e.raced).toBe(true);
    }));

  it("does not take an unanswered query as the race", () =>
    withStandIn(async (e) => {
      const x = await e.query("never answered", 300).catch((y: unknown) => y);
      expect(isInputRace(x)).toBe(false);
      expect(e.raced).toBe(false);
    }));

  it("againOnInputRace runs a step that met the race again, and throws any other failure at once", async () => {
    let tries = 0;
    const value = await againOnInputRace("test", "again", async () => {
      tries++;
      return withStandIn(async (e) => {
        if (tries === 1) {
          await e.query("1");
          await e.query("'replay'", 5_000);
        }
        return await e.query("7");
      });
    });
    expect([value, tries]).toEqual(["7", 2]);

    let others = 0;
    const other = await againOnInputRace("test", "again", async () => {
      others++;
      throw new Error("the logger's own failure");
    }).catch((y: unknown) => y);
    expect([String((other as Error).message), others]).toEqual(["the logger's own failure", 1]);
  });

  it("kills the interpreters a script left running when Node exits", async () => {
    const driver = fileURLToPath(new URL("./espruino/espruino-process.ts", import.meta.url));
    const script = join(dir, "leave-running.mts");
    writeFileSync(
      script,
      "import { Espruino } from " +
        JSON.stringify(driver) +
        ";\nconst e = await Espruino.start(" +
        JSON.stringify(bin) +
        ", " +
        JSON.stringify(dir) +
        ");\nconsole.log(e.proc.pid);\nthrow new Error('a step failed before kill()');\n",
    );
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    const pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 200));
    // Running: its /proc entry is there and not a zombie (killed, its parent gone, and not
    // yet reaped by init, which is slow to here).
    const alive = (): boolean => {
      try {
        return !/^\d+ \(.*\) Z /.test(readFileSync("/proc/" + pid + "/stat", "utf8"));
      } catch {
        return false;
      }
    };
    const left = alive();
    if (left) process.kill(pid, "SIGKILL"); // not to leave it to the next test
    expect(left).toBe(false);
  });
});
