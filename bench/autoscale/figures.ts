import type { Trace } from "./simulator.js";

/** What one run cost and how well it kept up. */
export interface RunFigures {
  /**
   * Seconds the group spent behind (a second that starts or ends with a lag of one event or more),
   * summed over every backlog of the run: for a single burst, the time from the burst until it is
   * drained. A rebalance that stops the group also puts it behind.
   */
  drainSeconds: number;
  /** The longest single stretch behind. */
  longestDrainSeconds: number;
  peakLag: number;
  /** The Deployment's replicas integrated over the run. */
  replicaSeconds: number;
  scalingChanges: number;
  maxReplicas: number;
}

/** Below one whole event the group has read everything there is. */
const BEHIND = 1;

export function runFigures(trace: Trace): RunFigures {
  let drainSeconds = 0;
  let stretch = 0;
  let longestDrainSeconds = 0;
  let peakLag = 0;
  let replicaSeconds = 0;
  let maxReplicas = 0;
  let previousT = 0;
  let previousLag = 0;
  for (const point of trace.points) {
    const seconds = point.t - previousT;
    // Behind for the whole step if it started or ended with a backlog.
    const behind = point.lag >= BEHIND || previousLag >= BEHIND;
    previousT = point.t;
    previousLag = point.lag;
    if (behind) {
      drainSeconds += seconds;
      stretch += seconds;
      longestDrainSeconds = Math.max(longestDrainSeconds, stretch);
    } else {
      stretch = 0;
    }
    peakLag = Math.max(peakLag, point.lag);
    replicaSeconds += point.replicas * seconds;
    maxReplicas = Math.max(maxReplicas, point.replicas);
  }
  return {
    drainSeconds,
    longestDrainSeconds,
    peakLag,
    replicaSeconds,
    scalingChanges: trace.changes.length,
    maxReplicas,
  };
}

/**
 * Figures over several runs of one policy (the same scenario at different sync phases): means,
 * except the most replicas, which is the highest any run reached.
 */
export function meanFigures(runs: readonly RunFigures[]): RunFigures {
  const mean = (pick: (f: RunFigures) => number) =>
    runs.reduce((sum, f) => sum + pick(f), 0) / Math.max(1, runs.length);
  return {
    drainSeconds: mean((f) => f.drainSeconds),
    longestDrainSeconds: mean((f) => f.longestDrainSeconds),
    peakLag: mean((f) => f.peakLag),
    replicaSeconds: mean((f) => f.replicaSeconds),
    scalingChanges: mean((f) => f.scalingChanges),
    maxReplicas: Math.max(0, ...runs.map((f) => f.maxReplicas)),
  };
}
