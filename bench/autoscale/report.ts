import { round } from "../lib/stats.js";
import type { BenchSettings, ScenarioResult } from "./compare.js";
import type { RunFigures } from "./figures.js";
import type { HpaBehavior } from "./keda-hpa.js";
import { checkTargets, type TargetCheck, type TargetName } from "./targets.js";

const number = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

const mark = (check: TargetCheck) => (check.met ? "✓" : "✗");

const ratioText = (check: TargetCheck) =>
  check.ratio === null ? "0 / 0" : Number.isFinite(check.ratio) ? number(check.ratio, 2) : "∞";

const columns = ["drain s", "peak lag", "replica·s", "changes", "max replicas"];

function row(label: string, cells: string[]): string {
  return `  ${label.padEnd(18)}${cells.map((c) => c.padStart(14)).join("")}`;
}

const figureCells = (f: RunFigures) => [
  number(f.drainSeconds, 1),
  number(f.peakLag),
  number(f.replicaSeconds),
  number(f.scalingChanges, 2),
  String(f.maxReplicas),
];

/** The comparison for one scenario as aligned text: both policies, the ratios, the targets. */
export function scenarioTable(result: ScenarioResult): string {
  const { scenario, ours, keda, references } = result;
  const checks = new Map(checkTargets(result).map((c) => [c.target, c]));
  const get = (target: TargetName) => checks.get(target) as TargetCheck;
  const ratioCell = (target: TargetName) => `${ratioText(get(target))} ${mark(get(target))}`;
  const max = get("maxReplicas");
  const lines = [
    `${scenario.name}: ${scenario.title}`,
    row("", columns),
    row(`ours (${ours.phases} phases)`, figureCells(ours.figures)),
    row(`KEDA+HPA (${keda.phases})`, figureCells(keda.figures)),
    row("ours / KEDA", [
      ratioCell("drain"),
      number(ours.figures.peakLag / Math.max(1, keda.figures.peakLag), 2),
      ratioCell("replicaSeconds"),
      ratioCell("scalingChanges"),
      `${ours.figures.maxReplicas} of ${scenario.partitions} ${mark(max)}`,
    ]),
    row("target", ["≤ 0.50", "", "≤ 1.00", "≤ 0.50", "≤ partitions"]),
    `  references: a replica per partition from the start drains in ${number(references.floor.drainSeconds)} s; the fastest a lag-driven policy can, ${number(references.fastestReactive.drainSeconds)} s`,
  ];
  for (const check of checks.values()) {
    if (check.outOfReach) lines.push(`  ${check.target} target out of reach: ${check.outOfReach}`);
    if (check.tradeOff)
      lines.push(`  ${check.target} target, what it would take: ${check.tradeOff}`);
  }
  return lines.join("\n");
}

const figuresRecord = (f: RunFigures) => ({
  drain_seconds: round(f.drainSeconds),
  longest_drain_seconds: round(f.longestDrainSeconds),
  peak_lag: round(f.peakLag),
  replica_seconds: round(f.replicaSeconds),
  scaling_changes: round(f.scalingChanges),
  max_replicas: f.maxReplicas,
});

/** What bench/results/autoscale.json holds (without the run's time and machine). */
export function resultRecord(
  results: readonly ScenarioResult[],
  settings: BenchSettings,
  hpa: HpaBehavior,
  pictures: ReadonlyMap<string, string>,
) {
  return {
    settings: {
      per_replica_events_per_s: settings.consumer.perReplica,
      rebalance_seconds: settings.consumer.rebalanceSeconds,
      spec: settings.spec,
      hpa,
    },
    scenarios: results.map((r) => ({
      name: r.scenario.name,
      title: r.scenario.title,
      partitions: r.scenario.partitions,
      duration_seconds: r.scenario.durationSeconds,
      ours: { ...figuresRecord(r.ours.figures), sync_phases: r.ours.phases },
      keda_hpa: { ...figuresRecord(r.keda.figures), sync_phases: r.keda.phases },
      references: {
        floor_drain_seconds: round(r.references.floor.drainSeconds),
        fastest_reactive_drain_seconds: round(r.references.fastestReactive.drainSeconds),
        fastest_reactive_replica_seconds: round(r.references.fastestReactive.replicaSeconds),
      },
      targets: checkTargets(r).map((c) => ({
        target: c.target,
        ratio: c.ratio === null || !Number.isFinite(c.ratio) ? null : round(c.ratio),
        limit: c.limit,
        met: c.met,
        ...(c.outOfReach ? { out_of_reach: c.outOfReach } : {}),
        ...(c.tradeOff ? { trade_off: c.tradeOff } : {}),
      })),
      picture: pictures.get(r.scenario.name),
    })),
  };
}
