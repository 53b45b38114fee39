import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../hack/local-services.js";
import {
  type BenchSettings,
  compareOnScenario,
  defaultSettings,
  type ScenarioResult,
} from "./autoscale/compare.js";
import { hpaDefaults } from "./autoscale/keda-hpa.js";
import { stackedSvg } from "./autoscale/picture.js";
import { resultRecord, scenarioTable } from "./autoscale/report.js";
import { scenarios } from "./autoscale/scenarios.js";
import type { Trace } from "./autoscale/simulator.js";
import { checkTargets } from "./autoscale/targets.js";
import { type Series, terminalChart } from "./lib/charts.js";
import { resultsDir } from "./lib/results.js";

// Our scaling policy against KEDA's Kafka scaler driving an HPA, on one simulated consumer group
// per scenario (bench/autoscale/ has the model). Both get the same spec, the same consumers and
// the same rebalance pause; each runs once per phase of its sync period and the figures are means.

/** The defaults, with the consumer model overridable for a sensitivity check. */
export const benchSettings = (): BenchSettings => ({
  ...defaultSettings,
  consumer: {
    perReplica: Number(
      process.env.BENCH_AUTOSCALE_PER_REPLICA ?? defaultSettings.consumer.perReplica,
    ),
    rebalanceSeconds: Number(
      process.env.BENCH_AUTOSCALE_REBALANCE_SECONDS ?? defaultSettings.consumer.rebalanceSeconds,
    ),
  },
});

const series = (name: string, trace: Trace, pick: "lag" | "replicas"): Series => ({
  name,
  points: trace.points.map((p) => [p.t, p[pick]] as const),
});

async function picture(result: ScenarioResult): Promise<string> {
  const { ours, keda, scenario } = result;
  const svg = await stackedSvg(`Autoscaling: ${scenario.title}`, "seconds", [
    {
      yTitle: "lag (events)",
      series: [series("ours", ours.trace, "lag"), series("KEDA + HPA", keda.trace, "lag")],
    },
    {
      yTitle: "replicas",
      series: [
        series("ours", ours.trace, "replicas"),
        series("KEDA + HPA", keda.trace, "replicas"),
      ],
    },
  ]);
  const file = resolve(resultsDir, `autoscale-${scenario.name}.svg`);
  await writeFile(file, svg);
  return relative(repoRoot, file);
}

function terminalPictures(result: ScenarioResult): string {
  const { ours, keda } = result;
  const lag = terminalChart(
    [series("ours lag", ours.trace, "lag"), series("KEDA lag", keda.trace, "lag")],
    {
      height: 8,
    },
  );
  const replicas = terminalChart(
    [
      series("ours replicas", ours.trace, "replicas"),
      series("KEDA replicas", keda.trace, "replicas"),
    ],
    { height: 5 },
  );
  return `${lag}\n${replicas}`;
}

export async function runAutoscaleBench(): Promise<ScenarioResult[]> {
  const settings = benchSettings();
  await mkdir(resultsDir, { recursive: true });
  const results = scenarios().map((scenario) => compareOnScenario(scenario, settings));
  const pictures = new Map<string, string>();
  for (const result of results) {
    pictures.set(result.scenario.name, await picture(result));
    process.stdout.write(`\n${terminalPictures(result)}\n\n${scenarioTable(result)}\n`);
  }
  const checks = results.flatMap(checkTargets);
  const met = checks.filter((c) => c.met).length;
  const unreachable = checks.filter((c) => !c.met && c.outOfReach).length;
  process.stdout.write(
    `\ntargets met: ${met} of ${checks.length}; of the ${checks.length - met} missed, ${unreachable} are out of reach for any lag-driven policy (see above)\n`,
  );
  const file = resolve(resultsDir, "autoscale.json");
  const record = {
    ...resultRecord(results, settings, hpaDefaults, pictures),
    measured_at: new Date().toISOString(),
    machine: { load_avg_1m: loadavg()[0], node: process.version },
  };
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`  -> ${file}\n`);
  return results;
}

// Run when started as a program (bench/run.ts does), not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runAutoscaleBench();
}
