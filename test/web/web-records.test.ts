// The page reads a board's records over Web Serial and Web Bluetooth (the virtual board,
// running the real firmware on a simulated flash), lists them, shows one with search,
// downloads one and all (the CLI's names and index.json, checked against the CLI's own
// archive writer fed by the CLI's retrieval of the same board), and clears the board only
// after the download. Screenshots of the page and the timeline go to test-output/web/.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBoard } from "../../src/boards/load.js";
import { RetrievalArchive, recordText } from "../../src/host/archive.js";
import type { EspruinoDecodedRecord } from "../../src/host/decode-image.js";
import { retrieve } from "../../src/host/retrieve.js";
import { virtualConnector } from "../../src/host/transport-virtual.js";
import { VirtualBoard } from "../../src/sim/virtual-board.js";
import {
  browserMissing,
  clickDownload,
  openBrowser,
  readZip,
  screenshotPath,
  sleep,
  virtualConsole,
  waitNotice,
} from "./harness.js";
import type { Browser } from "./harness.js";

const missing = browserMissing();
if (missing) console.warn("web page tests skipped: " + missing);

/** A Puck.js with the logger and a crash history: a panic, then a crash loop over three boots. */
async function boardWithHistory(): Promise<VirtualBoard> {
  const vb = new VirtualBoard({
    board: loadBoard("puckjs"),
    realTime: true,
    epochMs: Date.parse("2026-12-01T10:00:00Z"),
    installFirmware: true,
  });
  vb.boot();
  await sleep(200);
  vb.eval('console.log("after panic"); mtdoops.panic("battery voltage 2.1 V: going down")');
  await sleep(100);
  vb.reboot("soft");
  await sleep(250);
  for (let i = 0; i < 3; i++) {
    vb.eval(
      `console.log("sensor read " + ${i}); setTimeout(function(){ throw new Error("boom in loop ${i}"); }, 5)`,
    );
    await sleep(250);
    vb.reboot("watchdog");
    await sleep(250);
  }
  return vb;
}

/** What the CLI's engine reads from the same board (no clear). */
async function cliRead(
  vb: VirtualBoard,
): Promise<{ records: EspruinoDecodedRecord[]; raws: Map<number, Uint8Array> }> {
  const raws = new Map<number, Uint8Array>();
  const res = await retrieve({
    connect: virtualConnector(vb, "virtual"),
    port: "virtual",
    sink: {
      save: async (r, raw) => {
        raws.set(r.seq, raw);
        return String(r.seq);
      },
    },
  });
  return { records: res.records, raws };
}

describe.skipIf(missing !== null)("web page: records over Web Serial and Web Bluetooth", () => {
  let b: Browser;
  let vb: VirtualBoard;
  const others: VirtualBoard[] = [];
  beforeAll(async () => {
    vb = await boardWithHistory();
    b = await openBrowser();
    b.bridge.device = virtualConsole(vb);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    vb?.close();
    for (const o of others) o.close();
  });

  it("connects, lists, opens, searches, downloads one and all, then clears", async () => {
    const { page } = b;
    const expected = await cliRead(vb);
    expect(expected.records.length).toBeGreaterThanOrEqual(5);

    await page.click("#connect-serial");
    const hello = await waitNotice(page, /logger .* runs on it/);
    expect(hello.kind).toBe("ok");
    expect(await page.textContent("#status")).toMatch(/USB serial 0483:5740 at 115200 baud/);

    // Clear is refused until the records are downloaded.
    await page.click("#read");
    await waitNotice(page, /Read \d+ record\(s\)/);
    expect(await page.isDisabled("#clear")).toBe(true);

    const rows = await page.$$eval("#records-body tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")),
    );
    expect(rows.map((r) => Number(r[0]))).toEqual(expected.records.map((r) => r.seq));
    expect(rows.map((r) => r[2])).toEqual(expected.records.map((r) => r.reason));
    expect(rows.map((r) => r[3])).toEqual(expected.records.map((r) => String(r.boot)));
    expect(rows.map((r) => r[4])).toEqual(expected.records.map((r) => String(r.length)));
    expect(rows.some((r) => r[2] === "panic")).toBe(true);
    // The timeline has one mark per record, coloured by reason, grouped in boots.
    expect(await page.$$eval("#timeline .tl-rec", (els) => els.length)).toBe(
      expected.records.length,
    );
    const boots = new Set(expected.records.map((r) => r.boot)).size;
    expect(await page.$$eval("#timeline .boot-band", (els) => els.length)).toBe(boots);

    await page.screenshot({ path: screenshotPath("records-laptop.png"), fullPage: true });
    await (await page.$("#timeline-wrap"))!.screenshot({
      path: screenshotPath("timeline-laptop.png"),
    });

    // Open the first crash of the loop; search its text.
    const loop = expected.records.find((r) => r.text.includes("boom in loop 1"))!;
    await page.click(`#records-body tr[data-seq="${loop.seq}"]`);
    expect(await page.textContent("#detail-title")).toBe(`Record ${loop.seq} · ${loop.reason}`);
    expect(await page.textContent("#detail-text")).toContain("boom in loop 1");
    expect(await page.textContent("#detail-context")).toContain(String(loop.boot));
    await page.fill("#search", "boom");
    expect(await page.textContent("#search-count")).toMatch(/^\d+ match/);
    expect(await page.$$eval("#detail-text mark", (m) => m.map((x) => x.textContent))).toContain(
      "boom",
    );
    expect(
      await page.evaluate(
        () => getComputedStyle(document.getElementById("detail-text")!).fontFamily,
      ),
    ).toMatch(/mono/i);

    // One record: the CLI's .txt.
    const one = await clickDownload(page, "#download-txt");
    expect(one.name).toBe(`dmesg-mtdoops-${loop.seq}.txt`);
    expect(new TextDecoder().decode(one.data)).toBe(recordText(loop));

    // All: the CLI's folder layout and index.json, compared with the CLI's own archive
    // writer given the records the CLI's retrieval read.
    const all = await clickDownload(page, "#download-all");
    expect(all.name).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-puckjs\.zip$/);
    const files = readZip(all.data);
    const folder = all.name.replace(/\.zip$/, "");
    const out = mkdtempSync(path.join(os.tmpdir(), "mtdoops-web-cli-"));
    try {
      const cli = new RetrievalArchive(out, { board: "puckjs" });
      for (const r of expected.records) await cli.save(r, expected.raws.get(r.seq)!);
      const cliDir = cli.folder!;
      const cliNames = readdirSync(cliDir).sort();
      expect([...files.keys()].map((n) => n.slice(folder.length + 1)).sort()).toEqual(cliNames);
      for (const n of cliNames) {
        const mine = files.get(`${folder}/${n}`)!;
        expect(Buffer.from(mine).equals(readFileSync(path.join(cliDir, n))), n).toBe(true);
      }
      writeFileSync(path.join(path.dirname(screenshotPath("x")), "download-all.zip"), all.data);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }

    // Now the board may be cleared; afterwards the CLI's engine finds nothing.
    expect(await page.isDisabled("#clear")).toBe(false);
    await page.click("#clear");
    const cleared = await waitNotice(page, /Cleared \d+ record/);
    expect(cleared.text).toContain(`Cleared ${expected.records.length} record(s)`);
    expect((await cliRead(vb)).records).toHaveLength(0);

    // A phone-sized viewport: the same page, one column.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click(`#records-body tr[data-seq="${loop.seq}"]`);
    await page.screenshot({ path: screenshotPath("records-phone.png"), fullPage: true });
    await (await page.$("#timeline-wrap"))!.screenshot({
      path: screenshotPath("timeline-phone.png"),
    });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it("reads the same records over Bluetooth (Nordic UART, 20-byte writes)", async () => {
    const { page } = b;
    await page.setViewportSize({ width: 1366, height: 900 });
    const puck = new VirtualBoard({
      board: loadBoard("puckjs"),
      realTime: true,
      epochMs: Date.now(),
      installFirmware: true,
    });
    others.push(puck);
    puck.boot();
    await sleep(200);
    puck.eval('mtdoops.panic("over the air")');
    await sleep(200);
    b.bridge.device = virtualConsole(puck);
    const expected = await cliRead(puck);
    expect(expected.records.length).toBe(1);
    b.bridge.largestBleWrite = 0;
    await page.click("#connect-bluetooth");
    await waitNotice(page, /Connected to Bluetooth Puck\.js 1a2b: the logger/);
    await page.click("#read");
    await waitNotice(page, /Read 1 record\(s\)/);
    expect(await page.textContent("#detail")).toContain("over the air");
    expect(b.bridge.largestBleWrite).toBeGreaterThan(0);
    expect(b.bridge.largestBleWrite).toBeLessThanOrEqual(20);
  });
});
