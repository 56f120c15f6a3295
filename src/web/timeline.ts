// The timeline: every record in sequence order, grouped by boot, coloured by reason, so
// that a crash loop (one panic per boot, boot after boot) or a storm (many records in one
// boot) shows at a glance. An SVG built with createElementNS; labels are text nodes.

import { svg } from "./dom.js";
import type { PageRecord } from "./page-record.js";

export const REASON_COLOURS: Record<string, string> = {
  panic: "#d62839",
  oops: "#f26b21",
  errorflag: "#d4a017",
  reboot: "#7b4fd6",
  shutdown: "#6c7a89",
  unknown: "#3a86ff",
};

export function reasonColour(reason: string): string {
  return REASON_COLOURS[reason] ?? "#3a86ff";
}

/** Draws `records` into `host`; `onPick` is called with a record's seq when it is clicked. */
export function drawTimeline(
  host: HTMLElement,
  records: readonly PageRecord[],
  onPick: (seq: number) => void,
): void {
  host.replaceChildren();
  if (records.length === 0) return;
  const groups: Array<{ boot: number | null; items: PageRecord[] }> = [];
  for (const r of records) {
    const last = groups[groups.length - 1];
    if (last && last.boot === r.boot) last.items.push(r);
    else groups.push({ boot: r.boot, items: [r] });
  }
  const bar = 16;
  const gap = 3;
  const groupGap = 14;
  const height = 86;
  // A boot is at least wide enough for its "boot N" label.
  const minGroup = 48;
  const groupWidth = (n: number): number => Math.max(n * (bar + gap) - gap, minGroup);
  let width = 8;
  for (const g of groups) width += groupWidth(g.items.length) + gap + groupGap;
  width = Math.max(width, 320);
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    "aria-label": `timeline of ${records.length} records over ${groups.length} boots`,
  });
  let x = 8;
  groups.forEach((g, gi) => {
    const w = groupWidth(g.items.length);
    const inner = g.items.length * (bar + gap) - gap;
    const x0 = x + (w - inner) / 2;
    root.append(
      svg("rect", {
        x: x - 4,
        y: 4,
        width: w + 8,
        height: 54,
        rx: 6,
        class: gi % 2 ? "boot-band odd" : "boot-band",
      }),
    );
    g.items.forEach((r, i) => {
      const bx = x0 + i * (bar + gap);
      const tall = r.reason === "panic" || r.reason === "reboot" ? 44 : 32;
      const rect = svg("rect", {
        x: bx,
        y: 54 - tall,
        width: bar,
        height: tall,
        rx: 3,
        fill: reasonColour(r.reason),
        class: "tl-rec",
        "data-seq": r.seq,
        tabindex: 0,
      });
      const title = svg("title");
      title.textContent = `#${r.seq} ${r.reason}${r.time ? " " + r.time : ""}${r.boot !== null ? " boot " + r.boot : ""}`;
      rect.append(title);
      rect.addEventListener("click", () => onPick(r.seq));
      rect.addEventListener("keydown", (ev) => {
        if ((ev as KeyboardEvent).key === "Enter") onPick(r.seq);
      });
      root.append(rect);
    });
    const label = svg("text", { x: x + w / 2, y: 74, class: "tl-label", "text-anchor": "middle" });
    label.textContent = g.boot === null ? "" : `boot ${g.boot}`;
    root.append(label);
    x += w + gap + groupGap;
  });
  host.append(root);
}

/** The legend: one swatch and count per reason present. */
export function drawLegend(host: HTMLElement, records: readonly PageRecord[]): void {
  host.replaceChildren();
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  for (const [reason, n] of counts) {
    const item = document.createElement("span");
    item.className = "legend-item";
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = reasonColour(reason);
    item.append(sw, document.createTextNode(`${reason} ${n}`));
    host.append(item);
  }
}
