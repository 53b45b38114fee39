import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { type Series, svgChart, terminalChart } from "../../bench/lib/charts.js";
import type { StreamingPipeline } from "../../operator/src/api/types.js";

const out = process.stdout;
export const write = (text: string) => out.write(text);

/** Each topic the pipeline needs, as Kafka has it. */
export function topicTable(p: StreamingPipeline): string {
  const rows = (p.status?.topics ?? []).map(
    (t) => `  ${t.name.padEnd(24)} ${String(t.partitions).padStart(10)} ${t.replicationFactor}`,
  );
  return [`  ${"TOPIC".padEnd(24)} PARTITIONS REPLICATION`, ...rows].join("\n");
}

export function conditionTable(p: StreamingPipeline): string {
  const rows = (p.status?.conditions ?? []).map(
    (c) => `  ${c.type.padEnd(15)} ${c.status.padEnd(7)} ${c.reason.padEnd(22)} ${c.message}`,
  );
  return [
    `  ${"CONDITION".padEnd(15)} ${"STATUS".padEnd(7)} ${"REASON".padEnd(22)} MESSAGE`,
    ...rows,
  ].join("\n");
}

/** The orders progress bar; prints a line a second when stdout is no terminal. */
export function ordersBar(total: number): SingleBar {
  const bar = new SingleBar({
    format: "orders [{bar}] {value}/{total} {percentage}% {eta_formatted} left",
    noTTYOutput: true,
    notTTYSchedule: 1000,
    hideCursor: true,
  });
  bar.start(total, 0);
  return bar;
}

export function throughputLine(orders: number, sendSeconds: number, countedSeconds: number) {
  return (
    `\nSent ${orders.toLocaleString("en-US")} orders in ${sendSeconds.toFixed(1)} s ` +
    `(${Math.round(orders / sendSeconds).toLocaleString("en-US")} orders/s); ` +
    `analytics had counted every one ${countedSeconds.toFixed(1)} s after the first was sent.\n\n`
  );
}

export interface Chart {
  /** Heading in the terminal and title of the picture. */
  title: string;
  yTitle: string;
  file: string;
  series: Series[];
  /** One line per series under the chart, e.g. its peak. */
  notes: string[];
}

/** Prints the chart in the terminal and writes it as an SVG picture; returns the picture's path. */
export async function showChart(dir: string, c: Chart): Promise<string> {
  const path = resolve(dir, c.file);
  await writeFile(
    path,
    await svgChart(c.series, { title: c.title, xTitle: "seconds", yTitle: c.yTitle }),
  );
  write(`${c.title} (${c.yTitle}):\n${terminalChart(c.series)}\n\n`);
  for (const n of c.notes) write(`  ${n}\n`);
  write("\n");
  return path;
}
