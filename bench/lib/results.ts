import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { repoRoot } from "../../hack/local-services.js";
import { type Bar, svgBars, terminalBars } from "./charts.js";

export const resultsDir = resolve(repoRoot, "bench/results");

/**
 * Writes `bench/results/<name>.json` with the figures and the machine's state during the run,
 * and prints them as one aligned table.
 */
export async function writeResult(
  name: string,
  figures: Record<string, number | string | boolean>,
): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const file = resolve(resultsDir, `${name}.json`);
  const record = {
    ...figures,
    measured_at: new Date().toISOString(),
    machine: { load_avg_1m: loadavg()[0], node: process.version },
  };
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  const table = Object.entries(figures)
    .map(
      ([k, v]) => `  ${k.padEnd(width)}  ${typeof v === "number" ? v.toLocaleString("en-US") : v}`,
    )
    .join("\n");
  process.stdout.write(`\n${name}\n${table}\n  -> ${file}\n`);
  return file;
}

/** Prints `bars` in the terminal and writes them as `bench/results/<name>.svg`. */
export async function drawBars(name: string, title: string, bars: Bar[]): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const file = resolve(resultsDir, `${name}.svg`);
  await writeFile(file, await svgBars(bars, { title, valueTitle: "events/s" }));
  process.stdout.write(`\n${title}\n${terminalBars(bars, { unit: " ev/s" })}\n  -> ${file}\n`);
  return file;
}
