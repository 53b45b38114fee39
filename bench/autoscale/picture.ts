import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Series } from "../lib/charts.js";

export interface Panel {
  yTitle: string;
  series: Series[];
}

/**
 * One SVG of panels stacked over a shared time axis (lag above replicas, say), each with its own
 * y scale, lines drawn as steps: the simulation's values hold between seconds.
 */
export async function stackedSvg(title: string, xTitle: string, panels: Panel[]): Promise<string> {
  const spec: TopLevelSpec = {
    title,
    vconcat: panels.map((panel) => ({
      width: 720,
      height: 220,
      data: {
        values: panel.series.flatMap((s) => s.points.map(([x, y]) => ({ series: s.name, x, y }))),
      },
      mark: { type: "line", interpolate: "step-after" },
      encoding: {
        x: { field: "x", type: "quantitative", title: xTitle },
        y: { field: "y", type: "quantitative", title: panel.yTitle },
        color: { field: "series", type: "nominal", title: null },
      },
    })),
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
