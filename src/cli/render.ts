// Drawing for the terminal: progress (a bar redrawn in place on a TTY, plain lines
// otherwise) and records as readable blocks.

import { escapeDeviceText, quoteDeviceText } from "../host/device-text.js";
import type { DecodedRecord } from "../host/decoded-record.js";
import type { RetrieveEvent, UploadEvent } from "../host/progress.js";
import type { OutStream } from "./io.js";

export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** Draws progress events to a stream (the CLI uses stderr, so stdout stays data). */
export class ProgressView {
  private readonly out: OutStream;
  private readonly tty: boolean;
  private lineShown = false;
  private lastDraw = 0;
  private spin = 0;
  private readonly quiet: boolean;

  constructor(out: OutStream, options: { quiet?: boolean } = {}) {
    this.out = out;
    this.tty = out.isTTY === true;
    this.quiet = options.quiet === true;
  }

  private width(): number {
    return Math.max(40, Math.min(100, this.out.columns || 80));
  }

  /** A permanent line (clears the bar first on a TTY). */
  line(text: string): void {
    if (this.quiet) return;
    this.clearBar();
    this.out.write(text + "\n");
  }

  private clearBar(): void {
    if (this.tty && this.lineShown) {
      this.out.write("\r\x1b[2K");
      this.lineShown = false;
    }
  }

  private lastKind = "";

  /** Redraws the bar line; repeated updates of one kind are drawn at most every 80 ms. */
  private bar(text: string, force = false, kind = text.split(" ")[0] ?? ""): void {
    if (this.quiet || !this.tty) return;
    const now = Date.now();
    if (!force && kind === this.lastKind && now - this.lastDraw < 80) return;
    this.lastDraw = now;
    this.lastKind = kind;
    this.out.write("\r\x1b[2K" + text.slice(0, this.width() - 1));
    this.lineShown = true;
  }

  private meter(fraction: number | null, cells: number): string {
    if (fraction === null) {
      // Unknown total: a block that moves.
      this.spin = (this.spin + 1) % (cells * 2 - 2 || 1);
      const pos = this.spin < cells ? this.spin : cells * 2 - 2 - this.spin;
      let s = "";
      for (let i = 0; i < cells; i++) s += Math.abs(i - pos) <= 1 ? "█" : "░";
      return s;
    }
    const f = Math.max(0, Math.min(1, fraction));
    const full = Math.round(f * cells);
    return "█".repeat(full) + "░".repeat(cells - full);
  }

  retrieve(e: RetrieveEvent): void {
    switch (e.type) {
      case "connecting":
        if (e.attempt > 1) this.line(`reconnecting to ${e.port} (attempt ${e.attempt})`);
        else this.bar(`connecting to ${e.port}…`, true);
        break;
      case "waiting-for-prompt":
        this.bar("waiting for the prompt…", true);
        break;
      case "begin":
        this.line(
          `board ${quoteDeviceText(e.board, 64)}: ${e.slots} slots of ${e.recordSize} bytes, boot ${e.boot}, next seq ${e.nextSeq}`,
        );
        break;
      case "receiving":
        this.bar(
          `receiving ${this.meter(null, 16)} ${e.records} record(s)  ${formatBytes(e.bytes)}  ${formatBytes(e.bytesPerSecond)}/s`,
        );
        break;
      case "resumed":
        this.line(
          `resuming after seq ${e.fromSeq < 0 ? "(start)" : e.fromSeq}: ${quoteDeviceText(e.why)}`,
        );
        break;
      case "verified":
        break;
      case "saved":
        if (!this.tty) this.line(`saved seq ${e.seq}: ${e.path}`);
        break;
      case "clearing":
        this.line(`clearing the records up to seq ${e.upto} on the board`);
        break;
      case "cleared":
        this.line(`the board freed ${e.count} record(s)`);
        break;
      case "done":
        this.clearBar();
        break;
    }
  }

  upload(e: UploadEvent): void {
    switch (e.type) {
      case "building":
        this.bar(`building the firmware for ${e.board}…`, true);
        break;
      case "built":
        this.bar(`firmware: ${e.file} (${formatBytes(e.bytes)})`, true);
        break;
      case "connecting":
        this.bar(`connecting to ${e.port}…`, true);
        break;
      case "uploading": {
        const f = e.total > 0 ? e.sent / e.total : 0;
        const left = e.secondsLeft === null ? "?" : formatDuration(e.secondsLeft);
        const text = `uploading ${this.meter(f, 24)} ${Math.floor(f * 100)}%  ${formatBytes(e.sent)}/${formatBytes(e.total)}  ${formatBytes(e.bytesPerSecond)}/s  ${left} left`;
        if (this.tty) this.bar(text, e.sent >= e.total);
        break;
      }
      case "uploaded":
        this.line(`uploaded ${formatBytes(e.bytes)} in ${e.seconds.toFixed(1)} s`);
        break;
      case "done":
        this.clearBar();
        break;
    }
  }

  finish(): void {
    this.clearBar();
  }
}

function ctxSummary(ctx: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const get = (k: string): unknown => ctx[k];
  const msg = get("msg");
  if (typeof msg === "string") lines.push(`message: ${msg}`);
  const stack = get("stack");
  if (typeof stack === "string" && stack.trim())
    lines.push(`stack: ${stack.trim().replace(/\n/g, "\n       ")}`);
  const flags = get("flags");
  if (Array.isArray(flags) && flags.length > 0) lines.push(`error flags: ${flags.join(", ")}`);
  const mem = get("mem");
  if (mem && typeof mem === "object") {
    const m = mem as Record<string, unknown>;
    lines.push(
      `memory: ${String(m["usage"] ?? "?")}/${String(m["total"] ?? "?")} vars used, ${String(m["free"] ?? "?")} free`,
    );
  }
  const who: string[] = [];
  for (const k of ["board", "fw", "lib", "reset"]) {
    const v = get(k);
    if (v !== undefined) who.push(`${k} ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  if (who.length > 0) lines.push(who.join(", "));
  const lost = get("lost");
  const suppressed = get("suppressed");
  if (lost !== undefined || suppressed !== undefined) {
    lines.push(`dumps lost ${String(lost ?? 0)}, suppressed ${String(suppressed ?? 0)} this boot`);
  }
  const known = new Set([
    "msg",
    "stack",
    "flags",
    "mem",
    "board",
    "fw",
    "lib",
    "reset",
    "lost",
    "suppressed",
  ]);
  for (const k of Object.keys(ctx)) {
    if (!known.has(k))
      lines.push(`${k}: ${typeof ctx[k] === "string" ? String(ctx[k]) : JSON.stringify(ctx[k])}`);
  }
  return lines;
}

/** One readable block per record: the facts, the context summary, then the console text. */
export function formatRecordBlock(r: DecodedRecord): string {
  const out: string[] = [];
  out.push(`=== seq ${r.seq} · ${r.reason} · ${r.time ?? "time unknown"} ===`);
  const facts: string[] = [];
  if (typeof r["boot"] === "number") facts.push(`boot ${r["boot"]}`);
  if (typeof r["uptimeMs"] === "number")
    facts.push(`uptime ${(r["uptimeMs"] / 1000).toFixed(3)} s`);
  facts.push(r.slot >= 0 ? `slot ${r.slot}` : `offset ${r.offset}`);
  const flags = r["flags"];
  if (Array.isArray(flags) && flags.length > 0) facts.push(`flags ${flags.join(" ")}`);
  if (r["freed"] === true) facts.push("freed");
  if (typeof r["headerVersion"] === "number") facts.push(`header v${r["headerVersion"]}`);
  out.push(facts.join(" · "));
  const ctx = r["context"];
  if (ctx && typeof ctx === "object") out.push(...ctxSummary(ctx as Record<string, unknown>));
  if (typeof r["payloadError"] === "string") out.push(`payload error: ${r["payloadError"]}`);
  out.push("--- console ---");
  const text = r.text.replace(/\r\n/g, "\n").replace(/\r/g, "\n");
  out.push(text.endsWith("\n") ? text.slice(0, -1) : text);
  // Every field above came from the device: no control character reaches the terminal.
  return escapeDeviceText(out.join("\n"), true) + "\n";
}

export function formatRecordBlocks(records: readonly DecodedRecord[]): string {
  return records.map(formatRecordBlock).join("\n");
}
