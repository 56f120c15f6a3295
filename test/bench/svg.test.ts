// The SVG plots of BENCHMARKS.md: a well-formed document, one line per series inside the
// plot area, ticks at powers of two on a log axis, and refusals of points it cannot draw.
import { describe, expect, it } from "vitest";
import { linePlot, niceTicks } from "./svg.js";

describe("linePlot", () => {
  const svg = linePlot({
    title: "a < b & c",
    xLabel: "slots",
    yLabel: "reads",
    xLog2: true,
    width: 400,
    height: 300,
    series: [
      {
        name: "ours",
        color: "#00f",
        points: [
          [16, 8],
          [256, 12],
          [4096, 16],
        ],
      },
      {
        name: "mtdoops",
        color: "#f00",
        dashed: true,
        points: [
          [16, 16],
          [256, 256],
          [4096, 4096],
        ],
      },
    ],
  });

  it("is one svg element with a polyline per series and escaped text", () => {
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain("a &lt; b &amp; c");
    expect(svg).toContain('stroke-dasharray="6 4"');
  });

  it("keeps every point inside the drawing", () => {
    for (const m of svg.matchAll(/<polyline points="([^"]+)"/g)) {
      for (const pair of m[1]!.split(" ")) {
        const [x, y] = pair.split(",").map(Number);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(400);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(300);
      }
    }
  });

  it("puts log-axis ticks at powers of two", () => {
    for (const t of [16, 32, 64, 128, 256, 512, 1024, 2048, 4096])
      expect(svg).toContain(">" + t + "</text>");
  });

  it("refuses no points, non-finite points and x <= 0 on a log axis", () => {
    const base = { title: "t", xLabel: "x", yLabel: "y" };
    expect(() => linePlot({ ...base, series: [] })).toThrow(/no points/);
    expect(() =>
      linePlot({ ...base, series: [{ name: "s", color: "#000", points: [[1, NaN]] }] }),
    ).toThrow(/finite/);
    expect(() =>
      linePlot({ ...base, xLog2: true, series: [{ name: "s", color: "#000", points: [[0, 1]] }] }),
    ).toThrow(/x > 0/);
  });
});

describe("niceTicks", () => {
  it("covers the maximum in round steps from 0", () => {
    expect(niceTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(4096)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
