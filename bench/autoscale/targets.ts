import type { ScenarioResult } from "./compare.js";

// The targets of the autoscaling benchmark, judged per scenario: against the KEDA-equivalent,
// time to drain at most half, replica-seconds no more, scaling changes at most half, and never
// more replicas than partitions.

export type TargetName = "drain" | "replicaSeconds" | "scalingChanges" | "maxReplicas";

export interface TargetCheck {
  target: TargetName;
  /** What is compared: ours / KEDA's (maxReplicas: ours / partitions). Null when 0 / 0. */
  ratio: number | null;
  /** The highest ratio that meets the target. */
  limit: number;
  met: boolean;
  /** Why no policy could meet it, with the figures; only for an unmet target. */
  outOfReach?: string;
  /** What meeting it would cost, with the figures, when it is within reach. */
  tradeOff?: string;
}

const ratio = (ours: number, theirs: number) =>
  theirs === 0 ? (ours === 0 ? null : Infinity) : ours / theirs;

function check(target: TargetName, ours: number, theirs: number, limit: number): TargetCheck {
  const r = ratio(ours, theirs);
  return { target, ratio: r, limit, met: r === null || r <= limit };
}

const s = (seconds: number) => `${Math.round(seconds)} s`;

export function checkTargets(result: ScenarioResult): TargetCheck[] {
  const ours = result.ours.figures;
  const keda = result.keda.figures;
  const { floor, fastestReactive } = result.references;
  const drain = check("drain", ours.drainSeconds, keda.drainSeconds, 0.5);
  const half = keda.drainSeconds / 2;
  if (!drain.met && floor.drainSeconds > half) {
    drain.outOfReach = `even a replica per partition from the start takes ${s(floor.drainSeconds)}; half of KEDA's is ${s(half)}`;
  } else if (!drain.met && fastestReactive.drainSeconds > half) {
    drain.outOfReach = `a policy that scales on lag drains in ${s(fastestReactive.drainSeconds)} at best (to the partition count 1 s after lag appears, never back); half of KEDA's is ${s(half)}`;
  } else if (!drain.met && fastestReactive.replicaSeconds > keda.replicaSeconds) {
    drain.tradeOff = `the fastest lag-driven run drains in ${s(fastestReactive.drainSeconds)} by keeping the partition count of replicas, ${Math.round(fastestReactive.replicaSeconds).toLocaleString("en-US")} replica-seconds against KEDA's ${Math.round(keda.replicaSeconds).toLocaleString("en-US")}`;
  }
  const changes = check("scalingChanges", ours.scalingChanges, keda.scalingChanges, 0.5);
  const allowed = keda.scalingChanges * changes.limit;
  if (!changes.met && allowed < 2) {
    // A run that scales up at all also scales back down: two changes at least.
    const idle = Math.round((1 - allowed / 2) * 100);
    changes.tradeOff = `half of KEDA's ${keda.scalingChanges.toFixed(2)} changes is ${allowed.toFixed(2)}, fewer than one scale-up and its scale-down: met only if at least ${idle}% of the runs do not scale at all`;
  }
  return [
    drain,
    check("replicaSeconds", ours.replicaSeconds, keda.replicaSeconds, 1),
    changes,
    check("maxReplicas", ours.maxReplicas, result.scenario.partitions, 1),
  ];
}
