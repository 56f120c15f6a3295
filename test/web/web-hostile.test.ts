// Hostile content stays inert: a device (a scripted console speaking the real protocol,
// its records encoded by the core's own encoder) sends HTML, script tags, attribute
// injections, terminal escapes, invalid UTF-8 and very long lines, in the console text, the
// context, the logger version and the board id; a dropped Linux mtdoops image carries a
// 100 KB line. Nothing becomes markup or runs, everything is shown as text, and every
// download name is sanitised.

import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc32 } from "../../src/core/crc32.js";
import {
  PROTOCOL_VERSION,
  formatBegin,
  formatCleared,
  formatEnd,
  formatRecord,
} from "../../src/core/protocol.js";
import { COMMIT_VALUE, buildPayload, encodeRecord, putU32, Reason } from "../../src/core/record.js";
import {
  ROOT,
  browserMissing,
  clickDownload,
  openBrowser,
  readZip,
  waitNotice,
} from "./harness.js";
import type { Browser, DeviceConsole } from "./harness.js";

const missing = browserMissing();
if (missing) console.warn("web page tests skipped: " + missing);

const PWN = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">"><svg onload="window.__pwned=3">`;
const BOARD_ID = `../..\\<img/src=x/onerror=window.__pwned=4>`;
const VERSION = `0.1.0<img/src=x/onerror=window.__pwned=5>`;
const RECORD_SIZE = 65536;
const LONG = 60_000;

function latin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 255);
}

function record(seq: number, reason: number, context: object, consoleText: string): Uint8Array {
  const payload = buildPayload(latin1(JSON.stringify(context)), latin1(consoleText));
  const raw = encodeRecord(
    {
      seq,
      boot: 7,
      reason,
      flags: 0,
      time: 1_764_115_200 + seq,
      uptime: 1234,
      payloadLength: payload.length,
      rawLength: 0,
    },
    payload,
    4,
    crc32,
  );
  putU32(raw, 0, COMMIT_VALUE);
  return raw;
}

/** Speaks the protocol with hostile records. */
class HostileDevice implements DeviceConsole {
  private readonly listeners = new Set<(t: string) => void>();
  private line = "";
  readonly records = [
    record(
      1,
      Reason.OOPS,
      { msg: PWN, [`<i onclick="x()">key</i>`]: "\x1b[2J\x1b]0;owned\x07" },
      `app start\r\n${PWN}\r\n\x1b[31mRED\x1b[0m \x1b]8;;http://evil/\x07link\x1b]8;;\x07\r\nbad utf8: \xff\xfe\xc3\x28 end\r\n`,
    ),
    record(
      2,
      Reason.PANIC,
      { msg: "long line" },
      "L".repeat(LONG) + "\r\n" + "tail after the long line\r\n",
    ),
  ];

  input(text: string): void {
    this.line += text;
    let nl;
    while ((nl = this.line.indexOf("\n")) >= 0) {
      const l = this.line.slice(0, nl);
      this.line = this.line.slice(nl + 1);
      setTimeout(() => this.answer(l), 1);
    }
  }

  private say(t: string): void {
    for (const l of this.listeners) l(t);
  }

  private answer(l: string): void {
    const ask = /"MTDOOPS_"\+"(ASK\d+ )"/.exec(l);
    if (ask) return this.say(`MTDOOPS_${ask[1]}${VERSION}\r\n>`);
    if (/mtdoops\.dump\(/.test(l)) {
      const out = [
        formatBegin({
          version: PROTOCOL_VERSION,
          board: BOARD_ID,
          recordSize: RECORD_SIZE,
          slots: 4,
          boot: 7,
          nextSeq: 3,
        }),
      ];
      this.records.forEach((raw, i) => {
        out.push(formatRecord(i + 1, i, raw, crc32, "b", Buffer.from(raw).toString("base64")));
      });
      out.push(formatEnd(this.records.length));
      return this.say(out.join("\r\n") + "\r\n>");
    }
    if (/mtdoops\.clear\(/.test(l)) return this.say(formatCleared(this.records.length) + "\r\n>");
    this.say(">");
  }

  subscribe(l: (t: string) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

async function inert(b: Browser): Promise<void> {
  const r = await b.page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
    scripts: document.querySelectorAll("script").length,
    imgs: document.querySelectorAll("img").length,
    svgs: document.querySelectorAll("svg").length,
    handlers: Array.from(document.querySelectorAll("*")).filter((el) =>
      Array.from(el.attributes).some((a) => a.name.startsWith("on")),
    ).length,
  }));
  expect(r).toEqual({ pwned: null, scripts: 1, imgs: 0, svgs: 1, handlers: 0 });
}

describe("web page sources", () => {
  it("never parse strings as HTML (no innerHTML, outerHTML, insertAdjacentHTML, document.write)", () => {
    const dir = path.join(ROOT, "src", "web");
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts") || n.endsWith(".html"))) {
      const src = readFileSync(path.join(dir, f), "utf8");
      expect(src, f).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/,
      );
    }
  });
});

describe.skipIf(missing !== null)("web page: hostile content is inert", () => {
  let b: Browser;
  const device = new HostileDevice();
  beforeAll(async () => {
    b = await openBrowser();
    b.bridge.device = device;
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });

  it("records with markup, escapes, invalid UTF-8 and a 60 KB line render as text", async () => {
    const { page } = b;
    await page.click("#connect-serial");
    const hello = await waitNotice(page, /runs on it/);
    expect(hello.text).toContain(VERSION);
    await page.click("#read");
    await waitNotice(page, /Read 2 record\(s\)/);
    await page.click('#records-body tr[data-seq="1"]');
    const text = (await page.textContent("#detail-text"))!;
    expect(text).toContain(PWN);
    expect(text).toContain("\u241b[31mRED\u241b[0m"); // ESC shown as the Control Picture
    expect(text).toContain("\u241b]8;;http://evil/\u2407link");
    expect(text).toContain("bad utf8: \ufffd\ufffd\ufffd( end");
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the page
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    const ctx = (await page.textContent("#detail-context"))!;
    expect(ctx).toContain(PWN);
    expect(ctx).toContain(`<i onclick="x()">key</i>`);
    await page.fill("#search", "<script>");
    expect(await page.textContent("#search-count")).toBe("1 match");
    await inert(b);

    await page.fill("#search", "");
    await page.click('#records-body tr[data-seq="2"]');
    const long = (await page.textContent("#detail-text"))!;
    expect(long).toContain(`more characters in the download]`);
    expect(long).toContain("tail after the long line");
    expect(long.length).toBeLessThan(5000);
    await inert(b);

    // Every name from the device is sanitised; the files keep every byte.
    const all = await clickDownload(page, "#download-all");
    expect(all.name).toMatch(/^[A-Za-z0-9._-]+\.zip$/);
    const files = readZip(all.data);
    for (const name of files.keys()) {
      expect(name).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*\/[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
      expect(name.split("/")).not.toContain("..");
    }
    const txt = [...files.entries()].find(([n]) => n.endsWith("dmesg-mtdoops-2.txt"))![1];
    expect(new TextDecoder().decode(txt)).toContain("L".repeat(LONG));
    const one = await clickDownload(page, "#download-txt");
    expect(one.name).toBe("dmesg-mtdoops-2.txt");
    await inert(b);
  });

  it("a dropped Linux mtdoops image with a 100 KB line renders as text", async () => {
    const { page } = b;
    const size = 131072;
    const image = new Uint8Array(size * 2).fill(0xff);
    const text = latin1(
      `<6>[    1.0] ${PWN}\n<0>[    2.0] ${"x".repeat(100 * 1024)}\n<0>[    3.0] \x1b[5mblink\n`,
    );
    const v = new DataView(image.buffer);
    v.setUint32(0, 9, true);
    v.setUint32(4, 0x5d005e00, true);
    v.setBigInt64(8, 1_717_171_717_000_000_000n, true);
    image.set(text, 16);
    await page.selectOption("#image-format", "linux");
    await page.fill("#image-record-size", String(size));
    const t0 = Date.now();
    await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], "mtd<b>3</b>.img"));
      document
        .getElementById("drop")!
        .dispatchEvent(
          new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }),
        );
    }, Buffer.from(image).toString("base64"));
    await waitNotice(page, /Decoded 1 Linux mtdoops record/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const shown = (await page.textContent("#detail-text"))!;
    expect(shown).toContain(PWN);
    expect(shown).toContain("\u241b[5mblink");
    expect(shown).toContain("more characters in the download]");
    expect(await page.textContent("#records-summary")).toContain("mtd<b>3</b>.img");
    const one = await clickDownload(page, "#download-txt");
    expect(one.name).toBe("dmesg-mtdoops-9.txt");
    expect(one.data.length).toBeGreaterThan(100 * 1024);
    await inert(b);
  });
});
