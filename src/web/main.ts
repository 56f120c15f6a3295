// The page: connect (Web Serial or Web Bluetooth), install the logger, read, view, download
// and clear the crash records, decode a dropped image. The work is done by the project's
// own modules (the retrieval engine and archive of src/host, the decoders, the core's
// protocol); this file wires them to the DOM. Device data only ever reaches the DOM as text.

import { RetrievalArchive } from "../host/archive-core.js";
import {
  DecodeImageError,
  decodeImageDetailed,
  isPowerOfTwoSize,
  noRecordsError,
} from "../host/decode-image.js";
import type { DecodeImageOptions } from "../host/decode-image.js";
import { decodeLinuxMtdoopsImage } from "../host/linux-mtdoops.js";
import { RetrieveError, retrieve } from "../host/retrieve.js";
import type { RetrieveEvent } from "../host/progress.js";
import type { Connect, Transport } from "../host/transport.js";
import { BoardConsole } from "./board-console.js";
import {
  detectSupport,
  noBluetoothMessage,
  noSerialMessage,
  supportProblem,
} from "./browser-support.js";
import { byId, download, h } from "./dom.js";
import { firmware, firmwareBoard } from "./firmware-manifest.js";
import { InstallError, installLogger, removeLogger } from "./installer.js";
import type { InstallEvent } from "./installer.js";
import { MemoryArchiveFs } from "./memory-archive.js";
import { fromEspruino, fromLinux } from "./page-record.js";
import type { PageRecord } from "./page-record.js";
import { displayText, oneLine, safeFileName } from "./safe-text.js";
import { drawLegend, drawTimeline, reasonColour } from "./timeline.js";
import { BAUD_RATES, DEFAULT_BAUD, webSerialConnector } from "./transport-web-serial.js";
import { NUS_REQUEST, bluetoothName, nusConnector } from "./transport-web-bluetooth.js";
import { serialPortName } from "./transport-web-serial.js";
import { zip } from "./zip.js";
import type { ZipEntry } from "./zip.js";

interface Link {
  kind: "serial" | "bluetooth";
  name: string;
  connect: Connect;
}

interface RecordSet {
  /** "device": read from the board (may be cleared); "image": decoded from a file. */
  source: "device" | "image";
  label: string;
  records: PageRecord[];
  /** The retrieval's archive (device reads): the CLI's names and index.json. */
  archive: RetrievalArchive | null;
  fs: MemoryArchiveFs | null;
  /** True once every record was handed over in a download-all. */
  downloaded: boolean;
  /** True once the board freed them. */
  cleared?: boolean;
}

const support = detectSupport();
let link: Link | null = null;
let busy = false;
let set: RecordSet | null = null;
let selected: number | null = null;

// ---- notices ----

type NoticeKind = "error" | "info" | "ok";

function notice(kind: NoticeKind, text: string, action?: { label: string; run: () => void }): void {
  const box = byId("notice");
  box.dataset["kind"] = kind;
  box.hidden = false;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  byId("notice-text").textContent = text;
  const btn = byId<HTMLButtonElement>("notice-action");
  if (action) {
    btn.hidden = false;
    btn.textContent = action.label;
    btn.onclick = () => {
      box.hidden = true;
      action.run();
    };
  } else {
    btn.hidden = true;
    btn.onclick = null;
  }
}

function clearNotice(): void {
  byId("notice").hidden = true;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function setStatus(state: "idle" | "connected" | "busy", text: string): void {
  const s = byId("status");
  s.dataset["state"] = state;
  s.textContent = text;
}

function refreshButtons(): void {
  const connected = link !== null;
  byId<HTMLButtonElement>("install").disabled = !connected || busy;
  byId<HTMLButtonElement>("remove").disabled = !connected || busy;
  byId<HTMLButtonElement>("read").disabled = !connected || busy;
  byId<HTMLButtonElement>("disconnect").disabled = !connected || busy;
  byId<HTMLButtonElement>("connect-serial").disabled = busy;
  byId<HTMLButtonElement>("connect-bluetooth").disabled = busy;
  const hasRecords = !!set && set.records.length > 0;
  byId<HTMLButtonElement>("download-all").disabled = !hasRecords || busy;
  const canClear =
    connected &&
    !busy &&
    !!set &&
    set.source === "device" &&
    set.downloaded &&
    !set.cleared &&
    set.records.length > 0;
  const clear = byId<HTMLButtonElement>("clear");
  clear.disabled = !canClear;
  clear.title = canClear
    ? "Free these records on the board"
    : "Download all first: the board frees records only after you saved them";
}

async function task(label: string, body: () => Promise<void>): Promise<void> {
  if (busy) return;
  busy = true;
  refreshButtons();
  const before = byId("status").textContent ?? "";
  setStatus("busy", label);
  try {
    await body();
  } finally {
    busy = false;
    setStatus(link ? "connected" : "idle", link ? before.replace(/^…/, "") : "Not connected");
    refreshButtons();
  }
}

// ---- connecting ----

function isCancel(e: unknown): boolean {
  // Chromium rejects requestPort()/requestDevice() with NotFoundError when the user closes the chooser.
  return e instanceof Error && e.name === "NotFoundError";
}

async function connected(l: Link): Promise<void> {
  link = l;
  setStatus("connected", `${l.name}`);
  refreshButtons();
  await task(`Talking to ${l.name}…`, async () => {
    try {
      const t = await l.connect();
      const c = new BoardConsole(t);
      let version: string | null;
      try {
        await c.nudge();
        version = await c.loggerVersion();
      } finally {
        c.dispose();
        await t.close();
      }
      if (version)
        notice(
          "ok",
          `Connected to ${l.name}: the logger ${version} runs on it. Read its records below.`,
        );
      else
        offerInstall(
          `Connected to ${l.name}, but it does not run the logger (espruino-mtdoops) yet.`,
        );
    } catch (e) {
      link = null;
      notice("error", connectError(e, l.name));
    }
  });
  setStatus(link ? "connected" : "idle", link ? link.name : "Not connected");
}

function connectError(e: unknown, name: string): string {
  const msg = errText(e);
  if (/did not answer/.test(msg))
    return `${name} does not answer like an Espruino console: check the baud rate, and that the board is on and not busy running code.`;
  return msg;
}

function offerInstall(why: string): void {
  notice("info", `${why} Install it to start keeping crash logs.`, {
    label: "Install the logger",
    run: () => {
      byId("install-card").scrollIntoView({ behavior: "smooth", block: "start" });
      byId<HTMLSelectElement>("board").focus();
    },
  });
}

async function connectSerial(): Promise<void> {
  clearNotice();
  if (!support.serial) return notice("error", supportProblem(support) ?? noSerialMessage());
  let port: SerialPort;
  try {
    port = await navigator.serial.requestPort();
  } catch (e) {
    if (isCancel(e))
      return notice("info", "No port chosen. Pick your board's port when you are ready.");
    return notice("error", `The browser could not list serial ports: ${errText(e)}`);
  }
  const baud = Number(byId<HTMLSelectElement>("baud").value) || DEFAULT_BAUD;
  await connected({
    kind: "serial",
    name: `${serialPortName(port)} at ${baud} baud`,
    connect: webSerialConnector(port, baud),
  });
}

async function connectBluetooth(): Promise<void> {
  clearNotice();
  if (!support.bluetooth) return notice("error", supportProblem(support) ?? noBluetoothMessage());
  let device: BluetoothDevice;
  try {
    device = await navigator.bluetooth.requestDevice(NUS_REQUEST);
  } catch (e) {
    if (isCancel(e)) return notice("info", "No device chosen. Pick your board when you are ready.");
    return notice("error", `The browser could not scan for Bluetooth devices: ${errText(e)}`);
  }
  await connected({
    kind: "bluetooth",
    name: bluetoothName(device),
    connect: nusConnector(device),
  });
}

// ---- install ----

function selectedBoard() {
  const b = firmwareBoard(byId<HTMLSelectElement>("board").value);
  if (!b) throw new InstallError("pick a board first");
  return b;
}

function showBoardFiles(): void {
  const b = firmwareBoard(byId<HTMLSelectElement>("board").value);
  byId("board-files").textContent = b
    ? `Installs ${b.files.length} Storage files (${b.files.map((f) => `${f.storage} ${f.bytes} B`).join(", ")}), ${b.size} bytes of flash for ${b.size / b.recordSize} records of ${b.recordSize} bytes.`
    : "";
}

function installStep(text: string, state: "doing" | "done" | "failed" = "done"): void {
  const log = byId("install-log");
  const li = h("li", { "data-state": state }, text);
  log.append(li);
}

async function runInstall(remove: boolean): Promise<void> {
  const l = link;
  if (!l) return;
  clearNotice();
  const bar = byId<HTMLProgressElement>("install-progress");
  byId("install-log").replaceChildren();
  bar.hidden = remove;
  bar.value = 0;
  await task(remove ? "Removing the logger…" : "Installing the logger…", async () => {
    let board;
    try {
      board = selectedBoard();
    } catch (e) {
      notice("error", errText(e));
      return;
    }
    let lastFile = "";
    const onEvent = (e: InstallEvent): void => {
      if (e.type === "connecting") installStep(`Connecting to ${l.name}`);
      else if (e.type === "uploading") {
        bar.max = e.total;
        bar.value = e.sent;
        if (e.file !== lastFile) {
          lastFile = e.file;
          installStep(`Writing ${e.file}`);
        }
      } else if (e.type === "verifying") bar.hidden = true;
      else if (e.type === "verified")
        installStep(`Verified ${e.file}: ${e.bytes} bytes, CRC ${e.crc}`);
      else if (e.type === "removed") installStep(`Erased ${e.file}`);
      else if (e.type === "restarting") installStep("Restarting the board (load())");
      else if (e.type === "running") installStep(`The logger ${e.version} runs`);
    };
    try {
      if (remove) {
        await removeLogger(l.connect, board, onEvent);
        notice(
          "ok",
          `The logger is removed from ${l.name}. Records already in its flash area stay there until it is installed again and they are cleared.`,
        );
      } else {
        const v = await installLogger(l.connect, board, onEvent);
        notice(
          "ok",
          `The logger ${v} is installed for ${board.name} and verified. Crashes from now on are kept.`,
        );
      }
    } catch (e) {
      installStep(errText(e), "failed");
      notice("error", (remove ? "Removing failed: " : "Installing failed: ") + errText(e));
    } finally {
      bar.hidden = true;
    }
  });
}

// ---- reading ----

function retrieveProgress(e: RetrieveEvent): void {
  const bar = byId<HTMLProgressElement>("read-progress");
  const summary = byId("records-summary");
  if (e.type === "begin") {
    bar.max = Math.max(1, e.slots);
    summary.textContent = `Board ${e.board}: ${e.slots} slots of ${e.recordSize} bytes, boot ${e.boot}.`;
  } else if (e.type === "verified") {
    bar.value = Math.min(bar.max, bar.value + 1);
  } else if (e.type === "resumed") {
    summary.textContent = `Resuming after a fault (${e.why}), attempt ${e.attempt}…`;
  }
}

/** A Connect that hands out `first` once (the probe's open link), then opens afresh. */
function reuseFirst(first: Transport, connect: Connect): Connect {
  let t: Transport | null = first;
  return async () => {
    const x = t;
    t = null;
    return x ?? connect();
  };
}

async function readRecords(): Promise<void> {
  const l = link;
  if (!l) return;
  clearNotice();
  const bar = byId<HTMLProgressElement>("read-progress");
  bar.hidden = false;
  bar.value = 0;
  await task("Reading records…", async () => {
    const fs = new MemoryArchiveFs();
    const archive = new RetrievalArchive("", { fs, started: new Date() });
    const raws = new Map<number, Uint8Array>();
    const fresh: RecordSet = {
      source: "device",
      label: l.name,
      records: [],
      archive,
      fs,
      downloaded: false,
    };
    try {
      const t = await l.connect();
      const c = new BoardConsole(t);
      let version: string | null = null;
      try {
        await c.nudge();
        version = await c.loggerVersion();
      } catch (e) {
        c.dispose();
        await t.close();
        throw e;
      }
      c.dispose();
      if (!version) {
        await t.close();
        offerInstall(
          `${l.name} does not run the logger (espruino-mtdoops), so it has no records to read.`,
        );
        return;
      }
      const res = await retrieve({
        connect: reuseFirst(t, l.connect),
        port: l.name,
        onProgress: retrieveProgress,
        sink: {
          begin: (info) => archive.setBoard(info.board),
          save: async (rec, raw) => {
            raws.set(rec.seq, raw);
            const p = await archive.save(rec, raw);
            fresh.records = archive.records.map((r) => fromEspruino(r, raws.get(r.seq) ?? null));
            return p;
          },
        },
      });
      fresh.records = archive.records.map((r) => fromEspruino(r, raws.get(r.seq) ?? null));
      showRecords(fresh);
      notice(
        "ok",
        res.records.length
          ? `Read ${res.records.length} record(s) from ${l.name}, each verified (CRC). Download them before clearing the board.`
          : `${l.name} has no records: nothing has crashed since the last clear.`,
      );
    } catch (e) {
      if (fresh.records.length) showRecords(fresh);
      notice("error", readError(e, fresh.records.length));
    } finally {
      bar.hidden = true;
    }
  });
}

function readError(e: unknown, kept: number): string {
  if (e instanceof RetrieveError) {
    if (e.code === "ENOLIB") return "The board does not run the logger: install it first.";
    if (e.code === "ERETRIES" || e.code === "ECONNECT") {
      if (/dropped|lost|closed|gone|disconnect/i.test(e.message) || kept > 0)
        return (
          `The connection was lost during the transfer. ${kept} verified record(s) are kept below; ` +
          `nothing was cleared on the board. Reconnect and read again for the rest. (${e.message})`
        );
    }
  }
  return `Reading failed: ${errText(e)}`;
}

// ---- the list, the timeline, the detail ----

function showRecords(s: RecordSet): void {
  set = s;
  selected = null;
  const body = byId("records-body");
  body.replaceChildren();
  for (const r of s.records) {
    const reason = h("span", { class: "reason" }, r.reason);
    reason.style.setProperty("--c", reasonColour(r.reason));
    const tr = h(
      "tr",
      { "data-seq": String(r.seq), tabindex: "0" },
      h("td", { class: "num" }, String(r.seq)),
      h("td", {}, r.time ? r.time.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC") : "—"),
      h("td", {}, reason),
      h("td", { class: "num" }, r.boot === null ? "—" : String(r.boot)),
      h("td", { class: "num" }, String(r.size)),
      h("td", { class: "flags" }, r.flags.join(" ")),
    );
    tr.addEventListener("click", () => openRecord(r.seq));
    tr.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") openRecord(r.seq);
    });
    body.append(tr);
  }
  const boots = new Set(s.records.map((r) => r.boot)).size;
  byId("records-summary").textContent = s.records.length
    ? `${s.records.length} record(s) over ${boots} boot(s), from ${s.label}.`
    : `No records from ${s.label}.`;
  byId("timeline-wrap").hidden = s.records.length === 0;
  drawTimeline(byId("timeline"), s.records, openRecord);
  drawLegend(byId("legend"), s.records);
  byId("detail").hidden = true;
  if (s.records.length) openRecord((s.records[s.records.length - 1] as PageRecord).seq);
  refreshButtons();
}

function currentRecord(): PageRecord | undefined {
  return set?.records.find((r) => r.seq === selected);
}

function openRecord(seq: number): void {
  const r = set?.records.find((x) => x.seq === seq);
  if (!r) return;
  selected = seq;
  for (const tr of byId("records-body").querySelectorAll("tr"))
    tr.classList.toggle("selected", tr.getAttribute("data-seq") === String(seq));
  byId("detail").hidden = false;
  byId("detail-title").textContent = `Record ${r.seq} · ${r.reason}`;
  const dl = byId("detail-context");
  dl.replaceChildren();
  const facts: Array<[string, unknown]> = [
    ["time", r.time ?? "unknown"],
    ["boot", r.boot ?? "—"],
    ["size", `${r.size} bytes`],
  ];
  const d = r.decoded;
  if (typeof d["uptimeMs"] === "number")
    facts.push(["uptime", `${((d["uptimeMs"] as number) / 1000).toFixed(3)} s`]);
  if (r.flags.length) facts.push(["flags", r.flags.join(" ")]);
  if (typeof d["payloadError"] === "string") facts.push(["payload error", d["payloadError"]]);
  for (const [k, v] of Object.entries(r.context ?? {})) facts.push([k, v]);
  for (const [k, v] of facts) dl.append(h("dt", {}, oneLine(k)), h("dd", {}, oneLine(v)));
  byId<HTMLButtonElement>("download-bin").disabled = !r.raw;
  renderText(r);
}

function renderText(r: PageRecord): void {
  const pre = byId("detail-text");
  const q = byId<HTMLInputElement>("search").value;
  const text = displayText(r.text);
  pre.replaceChildren();
  if (!q) {
    pre.textContent = text || "(no console text)";
    byId("search-count").textContent = "";
    return;
  }
  const lower = text.toLowerCase();
  const needle = q.toLowerCase();
  let at = 0;
  let n = 0;
  for (;;) {
    const i = lower.indexOf(needle, at);
    if (i < 0) break;
    pre.append(
      document.createTextNode(text.slice(at, i)),
      h("mark", {}, text.slice(i, i + needle.length)),
    );
    at = i + needle.length;
    n++;
  }
  pre.append(document.createTextNode(text.slice(at)));
  byId("search-count").textContent = n === 1 ? "1 match" : `${n} matches`;
  pre.querySelector("mark")?.scrollIntoView({ block: "nearest" });
}

// ---- downloads, clear ----

function folderName(s: RecordSet): string {
  return safeFileName(s.archive?.folder ?? "mtdoops-records", "mtdoops-records");
}

function downloadAll(): void {
  const s = set;
  if (!s || !s.records.length) return;
  const folder = folderName(s);
  const entries: ZipEntry[] =
    s.fs && s.archive?.folder
      ? s.fs.list(s.archive.folder).map(([name, f]) => ({
          name: `${folder}/${safeFileName(name)}`,
          data: f.data,
          mtime: f.mtime,
        }))
      : s.records.flatMap((r) => {
          const when = r.time ? new Date(r.time) : new Date();
          const out: ZipEntry[] = [
            {
              name: `${folder}/${safeFileName(r.base + ".txt")}`,
              data: new TextEncoder().encode(r.fileText),
              mtime: when,
            },
          ];
          if (r.raw)
            out.push({
              name: `${folder}/${safeFileName(r.base + ".bin")}`,
              data: r.raw,
              mtime: when,
            });
          return out;
        });
  download(`${folder}.zip`, zip(entries), "application/zip");
  s.downloaded = true;
  notice(
    "ok",
    `Saved ${s.records.length} record(s) as ${folder}.zip (the same files and index.json as mtdoops logs).`,
  );
  refreshButtons();
}

function downloadOne(kind: "txt" | "bin"): void {
  const r = currentRecord();
  if (!r) return;
  if (kind === "txt")
    download(safeFileName(r.base + ".txt"), r.fileText, "text/plain;charset=utf-8");
  else if (r.raw) download(safeFileName(r.base + ".bin"), r.raw, "application/octet-stream");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function clearDevice(): Promise<void> {
  const l = link;
  const s = set;
  if (!l || !s || s.source !== "device" || !s.downloaded) return;
  clearNotice();
  await task("Clearing…", async () => {
    const have = new Map(s.records.map((r) => [r.seq, r.raw]));
    try {
      // The engine frees records only after its sink accepted every one of them: here the
      // sink accepts a record only when it is in the download, byte for byte.
      const res = await retrieve({
        connect: l.connect,
        port: l.name,
        clear: true,
        onProgress: retrieveProgress,
        sink: {
          save: async (rec, raw) => {
            const mine = have.get(rec.seq);
            if (!mine || !sameBytes(mine, raw))
              throw new Error(
                `record ${rec.seq} is new since your download: read and download again before clearing`,
              );
            return `${rec.seq}`;
          },
        },
      });
      for (const r of s.records) if (!r.flags.includes("FREED")) r.flags.push("FREED");
      showRecords({ ...s, records: s.records, cleared: true });
      notice("ok", `Cleared ${res.cleared ?? 0} record(s) on ${l.name}; your download keeps them.`);
    } catch (e) {
      notice("error", `Nothing was cleared: ${errText(e)}`);
    }
    refreshButtons();
  });
}

// ---- decoding a dropped image ----

async function decodeFile(file: File): Promise<void> {
  clearNotice();
  const image = new Uint8Array(await file.arrayBuffer());
  const format = byId<HTMLSelectElement>("image-format").value;
  const sizeText = byId<HTMLInputElement>("image-record-size").value.trim();
  const recordSize = sizeText ? Number(sizeText) : undefined;
  const label = `the image ${file.name}`;
  try {
    if (format === "linux") {
      if (!recordSize) {
        notice(
          "error",
          "A Linux mtdoops image needs its record size (mtdoops' record_size, e.g. 4096): enter it and drop the file again.",
        );
        return;
      }
      const res = decodeLinuxMtdoopsImage(image, { recordSize });
      if (!res.records.length) {
        notice(
          "error",
          `No Linux mtdoops record in ${file.name} with a record size of ${recordSize}: not an mtdoops partition, or a wrong record size.`,
        );
        return;
      }
      showRecords({
        source: "image",
        label,
        records: res.records.map((r) => fromLinux(r, image, recordSize)),
        archive: null,
        fs: null,
        downloaded: false,
      });
      notice(
        "ok",
        `Decoded ${res.records.length} Linux mtdoops record(s) from ${file.name}.` +
          (res.warnings.length ? " " + res.warnings.join(" ") : ""),
      );
      return;
    }
    const opts: DecodeImageOptions = {};
    if (recordSize !== undefined) {
      if (!isPowerOfTwoSize(recordSize)) {
        notice(
          "error",
          `The record size must be a power of two from 64 to 65536, not ${recordSize}.`,
        );
        return;
      }
      opts.recordSize = recordSize;
    }
    const boardId = byId<HTMLSelectElement>("image-board").value;
    const b = boardId ? firmwareBoard(boardId) : undefined;
    if (b) opts.board = b;
    const res = decodeImageDetailed(image, opts);
    if (!res.records.length) {
      notice(
        res.erased ? "info" : "error",
        res.erased
          ? `${file.name} is erased: no records.`
          : `${file.name}: ${noRecordsError(res, opts).message.replace("use --format linux --record-size <n>", "choose the Linux format and its record size")}`,
      );
      return;
    }
    showRecords({
      source: "image",
      label,
      records: res.records.map((r) => fromEspruino(r, image.slice(r.offset, r.offset + r.length))),
      archive: null,
      fs: null,
      downloaded: false,
    });
    notice(
      "ok",
      `Decoded ${res.records.length} record(s) from ${file.name}` +
        (res.recordSize ? ` (${res.recordSize}-byte records).` : "."),
    );
  } catch (e) {
    notice(
      "error",
      e instanceof DecodeImageError
        ? `${file.name}: ${e.message}`
        : `Cannot decode ${file.name}: ${errText(e)}`,
    );
  }
}

// ---- start ----

function init(): void {
  byId("version").textContent = firmware.version;
  const baud = byId<HTMLSelectElement>("baud");
  for (const b of BAUD_RATES) baud.append(h("option", { value: String(b) }, String(b)));
  baud.value = String(DEFAULT_BAUD);
  const boardSel = byId<HTMLSelectElement>("board");
  const imageBoard = byId<HTMLSelectElement>("image-board");
  for (const b of firmware.boards) {
    boardSel.append(h("option", { value: b.id }, b.name));
    imageBoard.append(h("option", { value: b.id }, b.name));
  }
  boardSel.value = firmware.boards.some((b) => b.id === "puckjs")
    ? "puckjs"
    : (firmware.boards[0]?.id ?? "");
  boardSel.addEventListener("change", showBoardFiles);
  showBoardFiles();

  byId("connect-serial").addEventListener("click", () => void connectSerial());
  byId("connect-bluetooth").addEventListener("click", () => void connectBluetooth());
  byId("disconnect").addEventListener("click", () => {
    link = null;
    setStatus("idle", "Not connected");
    refreshButtons();
  });
  byId("install").addEventListener("click", () => void runInstall(false));
  byId("remove").addEventListener("click", () => void runInstall(true));
  byId("read").addEventListener("click", () => void readRecords());
  byId("download-all").addEventListener("click", downloadAll);
  byId("clear").addEventListener("click", () => void clearDevice());
  byId("download-txt").addEventListener("click", () => downloadOne("txt"));
  byId("download-bin").addEventListener("click", () => downloadOne("bin"));
  byId("notice-close").addEventListener("click", clearNotice);
  byId("search").addEventListener("input", () => {
    const r = currentRecord();
    if (r) renderText(r);
  });

  const drop = byId("drop");
  drop.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (ev) => {
    ev.preventDefault();
    drop.classList.remove("over");
    const f = ev.dataTransfer?.files[0];
    if (f) void decodeFile(f);
  });
  const input = byId<HTMLInputElement>("image-file");
  input.addEventListener("change", () => {
    const f = input.files?.[0];
    if (f) void decodeFile(f);
    input.value = "";
  });

  const problem = supportProblem(support);
  if (problem) {
    notice("error", problem);
    byId<HTMLButtonElement>("connect-serial").hidden = !support.serial;
    byId<HTMLButtonElement>("connect-bluetooth").hidden = !support.bluetooth;
  } else {
    if (!support.serial) byId<HTMLButtonElement>("connect-serial").title = noSerialMessage();
    if (!support.bluetooth)
      byId<HTMLButtonElement>("connect-bluetooth").title = noBluetoothMessage();
  }
  refreshButtons();
  document.body.dataset["ready"] = "1";
}

init();
