// A raw image dropped on (or chosen in) the page is decoded by the project's decoders: a
// partition image of our format (the virtual board's flash after real crashes), a Linux
// mtdoops image with its record size (the repository's test vector), and a file that is
// neither, which gets one clear message.

import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBoard } from "../../src/boards/load.js";
import { decodeImage } from "../../src/host/decode-image.js";
import { VirtualBoard } from "../../src/sim/virtual-board.js";
import { ROOT, browserMissing, openBrowser, sleep, waitNotice } from "./harness.js";
import type { Browser } from "./harness.js";
import type { Page } from "playwright-core";

const missing = browserMissing();
if (missing) console.warn("web page tests skipped: " + missing);

async function drop(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.evaluate(
    async ([n, b64]) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], n));
      document
        .getElementById("drop")!
        .dispatchEvent(
          new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }),
        );
    },
    [name, Buffer.from(bytes).toString("base64")] as const,
  );
}

describe.skipIf(missing !== null)("web page: decoding a dropped image", () => {
  let b: Browser;
  beforeAll(async () => {
    b = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });

  it("our format: the virtual board's partition after crashes, record size detected", async () => {
    const vb = new VirtualBoard({
      board: loadBoard("puckjs"),
      realTime: true,
      epochMs: Date.now(),
      installFirmware: true,
    });
    vb.boot();
    await sleep(150);
    vb.eval('console.log("dropped image crash"); mtdoops.oops("first")');
    await sleep(150);
    vb.eval('mtdoops.panic("second")');
    await sleep(150);
    const image = vb.flash.toImage();
    vb.close();
    const expected = decodeImage(image);
    expect(expected.length).toBe(2);

    await drop(b.page, "puck-partition.bin", image);
    const n = await waitNotice(
      b.page,
      /Decoded 2 record\(s\) from puck-partition\.bin \(1024-byte records\)/,
    );
    expect(n.kind).toBe("ok");
    const rows = await b.page.$$eval("#records-body tr", (trs) =>
      trs.map((tr) => [tr.children[0]?.textContent, tr.children[2]?.textContent]),
    );
    expect(rows).toEqual(expected.map((r) => [String(r.seq), r.reason]));
    await b.page.click(`#records-body tr[data-seq="${expected[0]!.seq}"]`);
    expect(await b.page.textContent("#detail-text")).toContain("dropped image crash");
    expect(await b.page.isDisabled("#clear")).toBe(true);
  });

  it("a Linux mtdoops image with its record size (chosen with the file input)", async () => {
    const file = path.join(ROOT, "test", "vectors", "linux-mtdoops", "v2-le-4k.bin");
    const want = JSON.parse(readFileSync(file.replace(/\.bin$/, ".json"), "utf8")) as {
      records: Array<{ seq: number; text: string }>;
    };
    await b.page.selectOption("#image-format", "linux");
    await b.page.fill("#image-record-size", "");
    await b.page.setInputFiles("#image-file", file);
    expect((await waitNotice(b.page, /needs its record size/)).kind).toBe("error");
    await b.page.fill("#image-record-size", "4096");
    await b.page.setInputFiles("#image-file", file);
    await waitNotice(b.page, new RegExp(`Decoded ${want.records.length} Linux mtdoops record`));
    const seqs = await b.page.$$eval("#records-body tr", (trs) =>
      trs.map((tr) => Number(tr.getAttribute("data-seq"))),
    );
    expect(seqs).toEqual(want.records.map((r) => r.seq));
    await b.page.click(`#records-body tr[data-seq="${want.records[1]!.seq}"]`);
    expect(await b.page.textContent("#detail-text")).toContain("WARNING: CPU: 0 PID: 1");
  });

  it("a file that is not an image says so once", async () => {
    await b.page.selectOption("#image-format", "espruino");
    await b.page.fill("#image-record-size", "");
    const junk = new Uint8Array(8192);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) & 255;
    await drop(b.page, "photo.jpg", junk);
    const n = await waitNotice(b.page, /photo\.jpg: no espruino-mtdoops record found/);
    expect(n.kind).toBe("error");
    expect(n.text).toContain("choose the Linux format and its record size");
  });
});
