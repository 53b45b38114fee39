import asciichart from "asciichart";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** One line on a chart: y values over x (seconds, say). */
export interface Series {
  name: string;
  points: ReadonlyArray<readonly [x: number, y: number]>;
}

const terminalColors = [asciichart.blue, asciichart.green, asciichart.red, asciichart.yellow];

/**
 * Resamples a series onto `width` evenly spaced x positions between xMin and xMax, holding the
 * last value (a step function), so series with different sample times share one axis.
 */
export function resample(series: Series, xMin: number, xMax: number, width: number): number[] {
  const out: number[] = [];
  let j = 0;
  let last = series.points[0]?.[1] ?? 0;
  for (let i = 0; i < width; i++) {
    const x = width === 1 ? xMax : xMin + ((xMax - xMin) * i) / (width - 1);
    while (j < series.points.length && (series.points[j]?.[0] ?? Number.POSITIVE_INFINITY) <= x) {
      last = series.points[j]?.[1] ?? last;
      j++;
    }
    out.push(last);
  }
  return out;
}

/** A chart for the terminal: the series resampled to `width` columns, with a legend. */
export function terminalChart(series: Series[], { width = 72, height = 12 } = {}): string {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  if (xs.length === 0) return "(no samples)";
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const lines = series.map((s) => resample(s, xMin, xMax, width));
  const plot = asciichart.plot(lines, {
    height,
    colors: series.map((_, i) => terminalColors[i % terminalColors.length]),
    format: (v: number) => Math.round(v).toLocaleString("en-US").padStart(9),
  });
  const legend = series
    .map((s, i) => `${terminalColors[i % terminalColors.length]}──${asciichart.reset} ${s.name}`)
    .join("   ");
  return `${plot}\n${" ".repeat(11)}${xMin.toFixed(0)}s${" ".repeat(Math.max(1, width - 8))}${xMax.toFixed(0)}s\n${" ".repeat(11)}${legend}`;
}

/** The same series drawn as an SVG line chart (vega-lite, rendered headless). */
export async function svgChart(
  series: Series[],
  { title, xTitle, yTitle }: { title: string; xTitle: string; yTitle: string },
): Promise<string> {
  const values = series.flatMap((s) => s.points.map(([x, y]) => ({ series: s.name, x, y })));
  const spec: TopLevelSpec = {
    title,
    width: 720,
    height: 320,
    data: { values },
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: "x", type: "quantitative", title: xTitle },
      y: { field: "y", type: "quantitative", title: yTitle },
      color: { field: "series", type: "nominal", title: null },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** One bar: a labelled figure (events/s, say). */
export interface Bar {
  label: string;
  value: number;
}

/** Horizontal bars for the terminal, scaled to the largest value. */
export function terminalBars(bars: Bar[], { width = 48, unit = "" } = {}): string {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const labelWidth = Math.max(0, ...bars.map((b) => b.label.length));
  return bars
    .map((b) => {
      const length = max > 0 ? Math.round((b.value / max) * width) : 0;
      const figure = `${Math.round(b.value).toLocaleString("en-US")}${unit}`;
      return `  ${b.label.padEnd(labelWidth)}  ${"█".repeat(length)} ${figure}`;
    })
    .join("\n");
}

/** The same bars as an SVG (vega-lite, rendered headless). */
export async function svgBars(
  bars: Bar[],
  { title, valueTitle }: { title: string; valueTitle: string },
): Promise<string> {
  const spec: TopLevelSpec = {
    title,
    width: 560,
    data: { values: bars.map((b) => ({ label: b.label, value: b.value })) },
    mark: "bar",
    encoding: {
      y: { field: "label", type: "nominal", title: null, sort: null },
      x: { field: "value", type: "quantitative", title: valueTitle },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
