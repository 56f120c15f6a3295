// The page installs, updates and removes the logger on a board over Web Serial: the files
// of the firmware build (buildBoard, what `npm run build:firmware` writes and `mtdoops
// flash` uploads), byte for byte in the board's Storage, with a progress bar and a verify
// step; the logger then runs and records a crash the page reads back.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBoard } from "../../src/boards/load.js";
import { VirtualBoard } from "../../src/sim/virtual-board.js";
import { buildBoard } from "../../scripts/build-firmware.js";
import { browserMissing, openBrowser, sleep, virtualConsole, waitNotice } from "./harness.js";
import type { Browser } from "./harness.js";

const missing = browserMissing();
if (missing) console.warn("web page tests skipped: " + missing);

describe.skipIf(missing !== null)("web page: install, update, remove", () => {
  let b: Browser;
  let vb: VirtualBoard;
  beforeAll(async () => {
    vb = new VirtualBoard({ board: loadBoard("mdbt42q"), realTime: true, epochMs: Date.now() });
    vb.boot();
    b = await openBrowser();
    b.bridge.device = virtualConsole(vb);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    vb?.close();
  });

  it("installs the build's files with progress and verification, and the logger runs", async () => {
    const { page } = b;
    const build = await buildBoard(loadBoard("mdbt42q"), { write: false });
    expect(build.files.length).toBeGreaterThan(0);
    for (const f of build.files) expect(vb.storage.readText(f.storage)).toBeUndefined();

    await page.click("#connect-serial");
    await waitNotice(page, /does not run the logger/);
    await page.selectOption("#board", "mdbt42q");
    expect(await page.textContent("#board-files")).toContain(
      `Installs ${build.files.length} Storage files`,
    );
    await page.evaluate(() => {
      const w = window as unknown as { __progress: number[] };
      w.__progress = [];
      const bar = document.getElementById("install-progress") as HTMLProgressElement;
      new MutationObserver((ms) => {
        for (const m of ms)
          if (m.attributeName === "value")
            w.__progress.push(Number(bar.getAttribute("value")) / bar.max);
      }).observe(bar, { attributes: true });
    });
    await page.click("#install");
    const done = await waitNotice(page, /installed for MDBT42Q and verified/, 60_000);
    expect(done.kind).toBe("ok");

    // Every file of the build, byte for byte, in the board's Storage.
    for (const f of build.files) expect(vb.storage.readText(f.storage), f.storage).toBe(f.code);
    const steps = await page.$$eval("#install-log li", (li) => li.map((x) => x.textContent ?? ""));
    for (const f of build.files)
      expect(
        steps.some((s) => s.startsWith(`Verified ${f.storage}: ${f.bytes} bytes, CRC `)),
        f.storage,
      ).toBe(true);
    expect(steps.at(-1)).toMatch(/^The logger \S+ runs$/);
    const progress = await page.evaluate(
      () => (window as unknown as { __progress: number[] }).__progress,
    );
    expect(progress.length).toBeGreaterThan(build.files.length);
    expect(progress.at(-1)).toBe(1);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(vb.eval("typeof mtdoops")).toBe("object");

    // The installed logger records a crash, and the page reads it back.
    vb.eval('setTimeout(function(){ throw new Error("installed from the browser"); }, 5)');
    await sleep(300);
    await page.click("#read");
    await waitNotice(page, /Read 1 record\(s\)/);
    expect(await page.textContent("#detail-text")).toContain("installed from the browser");
  });

  it("updates over an installed logger, then removes it", async () => {
    const { page } = b;
    const build = await buildBoard(loadBoard("mdbt42q"), { write: false });
    vb.storage.writeFile(build.files[0]!.storage, "/* an older logger */");
    await page.click("#install");
    await waitNotice(page, /installed for MDBT42Q and verified/, 60_000);
    for (const f of build.files) expect(vb.storage.readText(f.storage)).toBe(f.code);

    await page.click("#remove");
    const n = await waitNotice(page, /logger is removed/, 30_000);
    expect(n.kind).toBe("ok");
    for (const f of build.files) expect(vb.storage.readText(f.storage), f.storage).toBeUndefined();
    expect(vb.eval("typeof mtdoops")).toBe("undefined");
    const steps = await page.$$eval("#install-log li", (li) => li.map((x) => x.textContent ?? ""));
    expect(steps.filter((s) => s.startsWith("Erased "))).toHaveLength(build.files.length);
  });
});
