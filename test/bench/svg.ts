// Line plots as standalone SVG text, for BENCHMARKS.md: axes with ticks, one polyline per
// series, a legend. No plotting library: the figures are a few dozen points. Host-only.

export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  color: string;
  /** Dashed line (e.g. a goal or a limit). */
  dashed?: boolean;
}

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Base-2 logarithmic x axis (ticks at powers of two). */
  xLog2?: boolean;
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 16, top: 36, bottom: 48 };

function escapeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Round tick steps (1, 2, 5 x 10^n) covering [0, max] in about five steps. */
export function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max)
    ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(3);
}

/** The plot as an SVG document. The y axis starts at 0; the x axis spans the data. */
export function linePlot(spec: PlotSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 360;
  const all = spec.series.flatMap((s) => s.points);
  if (all.length === 0) throw new Error("linePlot: no points");
  for (const [x, y] of all) {
    if (!Number.isFinite(x) || !Number.isFinite(y))
      throw new Error("linePlot: a point is not finite");
    if (spec.xLog2 && !(x > 0)) throw new Error("linePlot: a log axis needs x > 0");
  }
  const fx = (x: number): number => (spec.xLog2 ? Math.log2(x) : x);
  const xs = all.map(([x]) => fx(x));
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (x1 === x0) x1 = x0 + 1;
  const yTicks = niceTicks(Math.max(...all.map(([, y]) => y)));
  const y1 = yTicks[yTicks.length - 1]!;
  const pw = width - MARGIN.left - MARGIN.right;
  const ph = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((fx(x) - x0) / (x1 - x0)) * pw;
  const py = (y: number): number => MARGIN.top + ph - (y / y1) * ph;
  const xTicks: number[] = [];
  if (spec.xLog2) {
    for (let e = Math.ceil(x0); e <= Math.floor(x1); e++) xTicks.push(Math.pow(2, e));
  } else {
    for (const t of niceTicks(x1)) if (t >= x0) xTicks.push(t);
    x0 = Math.min(x0, xTicks[0] ?? x0);
  }
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(spec.title)}</text>`,
  );
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    out.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${width - MARGIN.right}" y2="${y}" stroke="#ddd"/>`,
    );
    out.push(
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    const x = px(t).toFixed(1);
    out.push(
      `<line x1="${x}" y1="${MARGIN.top + ph}" x2="${x}" y2="${MARGIN.top + ph + 4}" stroke="black"/>`,
    );
    out.push(`<text x="${x}" y="${MARGIN.top + ph + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + ph}" x2="${width - MARGIN.right}" y2="${MARGIN.top + ph}" stroke="black"/>`,
  );
  out.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + ph}" stroke="black"/>`,
  );
  out.push(
    `<text x="${MARGIN.left + pw / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(16 ${MARGIN.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    const pts = s.points.map(([x, y]) => px(x).toFixed(1) + "," + py(y).toFixed(1)).join(" ");
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    const ly = MARGIN.top + 8 + i * 16;
    const lx = MARGIN.left + 12;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    out.push(
      `<text x="${lx + 26}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
