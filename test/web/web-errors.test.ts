// The errors people meet, each with one clear message on the page: a browser without Web
// Serial and Web Bluetooth, a page outside a secure context, a cancelled chooser (not an
// error), a busy port, a board without the logger (with the offer to install it), and a
// disconnect in the middle of a transfer (the verified records are kept, no clear is sent).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBoard } from "../../src/boards/load.js";
import { retrieve } from "../../src/host/retrieve.js";
import { virtualConnector } from "../../src/host/transport-virtual.js";
import { VirtualBoard } from "../../src/sim/virtual-board.js";
import { browserMissing, openBrowser, sleep, virtualConsole, waitNotice } from "./harness.js";
import type { Browser, DeviceConsole } from "./harness.js";

const missing = browserMissing();
if (missing) console.warn("web page tests skipped: " + missing);

async function noticeNow(b: Browser): Promise<{ kind: string; text: string }> {
  return b.page.evaluate(() => {
    const n = document.getElementById("notice") as HTMLElement;
    return {
      kind: n.hidden ? "" : (n.dataset["kind"] ?? ""),
      text: n.hidden ? "" : (document.getElementById("notice-text")?.textContent ?? ""),
    };
  });
}

describe.skipIf(missing !== null)("web page: error messages", () => {
  const boards: VirtualBoard[] = [];
  let b: Browser;
  beforeAll(async () => {
    // insecure.test is this machine under a name that is not "potentially trustworthy"
    // (not localhost, not 127.0.0.1): a page served from it is not a secure context.
    b = await openBrowser({ extraArgs: ["--host-resolver-rules=MAP insecure.test 127.0.0.1"] });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    for (const v of boards) v.close();
  });

  it("a browser without Web Serial and Web Bluetooth (Firefox, Safari) says so at once", async () => {
    await b.load(b.baseUrl + "?harness=noserial,nobluetooth");
    const n = await noticeNow(b);
    expect(n.kind).toBe("error");
    expect(n.text).toMatch(
      /neither Web Serial nor Web Bluetooth \(Firefox and Safari do not offer them\)/,
    );
    expect(await b.page.isVisible("#connect-serial")).toBe(false);
    expect(await b.page.isVisible("#connect-bluetooth")).toBe(false);
  });

  it("a browser with Bluetooth but no Web Serial says so when USB is asked for", async () => {
    await b.load(b.baseUrl + "?harness=noserial");
    expect((await noticeNow(b)).kind).toBe("");
    await b.page.click("#connect-serial");
    const n = await waitNotice(b.page, /no Web Serial/);
    expect(n.kind).toBe("error");
  });

  it("a page outside a secure context explains https:// (the browser's own APIs, nothing replaced)", async () => {
    await b.load(`http://insecure.test:${b.port}/`);
    expect(await b.page.evaluate(() => window.isSecureContext)).toBe(false);
    const n = await noticeNow(b);
    expect(n.kind).toBe("error");
    expect(n.text).toMatch(/not in a secure context.*https:\/\/ or from http:\/\/localhost/);
  });

  describe("with a device", () => {
    beforeAll(async () => {
      await b.load();
    }, 60_000);

    it("a cancelled chooser is not an error", async () => {
      b.bridge.chooser = "cancel";
      await b.page.click("#connect-serial");
      const n = await waitNotice(b.page, /No port chosen/);
      expect(n.kind).toBe("info");
      await b.page.click("#connect-bluetooth");
      expect((await waitNotice(b.page, /No device chosen/)).kind).toBe("info");
      expect(await b.page.textContent("#status")).toBe("Not connected");
      b.bridge.chooser = "device";
    });

    it("a busy port names the cause and the remedy", async () => {
      const vb = new VirtualBoard({
        board: loadBoard("pico"),
        realTime: true,
        installFirmware: true,
      });
      boards.push(vb);
      vb.boot();
      b.bridge.device = virtualConsole(vb);
      b.bridge.busy = true;
      await b.page.click("#connect-serial");
      const n = await waitNotice(b.page, /busy/);
      expect(n.kind).toBe("error");
      expect(n.text).toMatch(
        /is busy: another program \(a terminal, the Espruino Web IDE, another tab\) has it open; close it and try again/,
      );
      b.bridge.busy = false;
    });

    it("a board without the logger gets the offer to install it", async () => {
      const vb = new VirtualBoard({ board: loadBoard("pico"), realTime: true });
      boards.push(vb);
      vb.boot();
      b.bridge.device = virtualConsole(vb);
      await b.page.click("#connect-serial");
      const n = await waitNotice(b.page, /does not run the logger/);
      expect(n.kind).toBe("info");
      expect(await b.page.textContent("#notice-action")).toBe("Install the logger");
      await b.page.click("#read");
      await waitNotice(b.page, /does not run the logger .* no records to read/);
      await b.page.click("#notice-action");
      expect(await b.page.evaluate(() => document.activeElement?.id)).toBe("board");
    });

    it("a disconnect mid-transfer keeps the verified records and sends no clear", async () => {
      const vb = new VirtualBoard({
        board: loadBoard("pico"),
        realTime: true,
        epochMs: Date.now(),
        installFirmware: true,
      });
      boards.push(vb);
      vb.boot();
      await sleep(150);
      for (let i = 0; i < 4; i++) {
        vb.eval(`console.log("step ${i}"); mtdoops.oops("fault ${i}")`);
        await sleep(150);
      }
      const before = await retrieve({
        connect: virtualConnector(vb, "v"),
        port: "v",
        sink: { save: async (r) => String(r.seq) },
      });
      expect(before.records.length).toBe(4);

      // The cable comes out after the second REC line reached the page.
      const inner = virtualConsole(vb);
      let recs = 0;
      let cut = false;
      const device: DeviceConsole = {
        input: (t) => inner.input(t),
        subscribe: (l) =>
          inner.subscribe((text) => {
            if (cut) return;
            let out = "";
            for (const line of text.split(/(?<=\n)/)) {
              out += line;
              if (line.startsWith("MTDOOPS:REC") && ++recs === 2) {
                cut = true;
                break;
              }
            }
            l(out);
            if (cut) void b.bridge.unplug();
          }),
      };
      b.bridge.device = device;
      b.bridge.written = "";
      await b.page.click("#connect-serial");
      await waitNotice(b.page, /the logger .* runs/);
      await b.page.click("#read");
      const n = await waitNotice(b.page, /connection was lost/, 60_000);
      expect(n.kind).toBe("error");
      expect(n.text).toMatch(
        /The connection was lost during the transfer\. 2 verified record\(s\) are kept below; nothing was cleared on the board/,
      );
      expect(await b.page.$$eval("#records-body tr", (r) => r.length)).toBe(2);
      expect(await b.page.isDisabled("#clear")).toBe(true);
      expect(b.bridge.written).toContain("mtdoops.dump(");
      expect(b.bridge.written).not.toContain("mtdoops.clear(");
      const after = await retrieve({
        connect: virtualConnector(vb, "v"),
        port: "v",
        sink: { save: async (r) => String(r.seq) },
      });
      expect(after.records.map((r) => r.seq)).toEqual(before.records.map((r) => r.seq));
    }, 90_000);
  });
});
