import type { ScalingSpec } from "../../operator/src/autoscale/policy.js";
import { meanFigures, type RunFigures, runFigures } from "./figures.js";
import { type KedaSpec, kedaHpaController } from "./keda-hpa.js";
import { operatorController } from "./operator-controller.js";
import type { Scenario } from "./scenarios.js";
import { type ConsumerModel, type ReplicaController, simulate, type Trace } from "./simulator.js";

export interface BenchSettings {
  consumer: ConsumerModel;
  /** One spec for both policies: KEDA reads minReplicas, maxReplicas and lagThreshold from it. */
  spec: ScalingSpec & KedaSpec;
}

/**
 * What both policies run with: consumers of 200 events/s each with a 15 s rebalance (the pause the
 * policy itself assumes), and the CRD's defaults with maxReplicas above the partition count, as
 * KEDA's default maxReplicaCount of 100 is.
 */
export const defaultSettings: BenchSettings = {
  consumer: { perReplica: 200, rebalanceSeconds: 15 },
  spec: {
    minReplicas: 1,
    maxReplicas: 12,
    lagThreshold: 1000,
    catchUpSeconds: 60,
    scaleDownStabilizationSeconds: 300,
    syncPeriodSeconds: 10,
    capAtPartitionsWithLag: false,
  },
};

export interface PolicyResult {
  /** Means over every sync phase (see phases). */
  figures: RunFigures;
  /** The run whose first sync is at 0 s, for the pictures. */
  trace: Trace;
  phases: number;
}

/** Runs that bound what any policy could do on a scenario; they are references, not rivals. */
export interface References {
  /**
   * Every partition has its own replica from the start: no reaction delay, no rebalance. No
   * policy drains in less time.
   */
  floor: RunFigures;
  /**
   * The fastest a policy that starts at minReplicas and scales on lag can drain: the better of
   * never scaling and going straight to the partition count one second after lag first appears
   * (one rebalance) and never scaling back down.
   */
  fastestReactive: RunFigures;
}

export interface ScenarioResult {
  scenario: Scenario;
  ours: PolicyResult;
  keda: PolicyResult;
  references: References;
}

/** A controller that never changes the replicas it started with. */
const fixed = (syncPeriodSeconds: number): ReplicaController => ({
  syncPeriodSeconds,
  sync: (reading) => reading.replicas,
});

/** Scales to `replicas` the first second any lag shows, and stays there. */
const upOnFirstLag = (replicas: number): ReplicaController => ({
  syncPeriodSeconds: 1,
  sync: (reading) =>
    reading.partitions.some((p) => p.lag >= 1)
      ? Math.max(reading.replicas, replicas)
      : reading.replicas,
});

/**
 * Runs a policy once per phase of its sync period against the scenario (the first sync at 0 s,
 * 1 s, ...), so neither policy gains from where its syncs happen to fall against a burst.
 */
function runPolicy(
  scenario: Scenario,
  settings: BenchSettings,
  make: () => ReplicaController,
): PolicyResult {
  const period = make().syncPeriodSeconds;
  const traces = Array.from({ length: period }, (_, phase) =>
    simulate(scenario, make(), settings.consumer, {
      initialReplicas: settings.spec.minReplicas,
      firstSyncSeconds: phase,
    }),
  );
  return {
    figures: meanFigures(traces.map(runFigures)),
    trace: traces[0] as Trace,
    phases: period,
  };
}

function references(scenario: Scenario, settings: BenchSettings): References {
  const { spec, consumer } = settings;
  const cap = Math.min(spec.maxReplicas, scenario.partitions);
  const run = (controller: ReplicaController, initialReplicas: number) =>
    runFigures(simulate(scenario, controller, consumer, { initialReplicas }));
  const stay = run(fixed(1), spec.minReplicas);
  const up = run(upOnFirstLag(cap), spec.minReplicas);
  return {
    floor: run(fixed(1), cap),
    fastestReactive: up.drainSeconds <= stay.drainSeconds ? up : stay,
  };
}

export function compareOnScenario(scenario: Scenario, settings: BenchSettings): ScenarioResult {
  const { spec } = settings;
  return {
    scenario,
    ours: runPolicy(scenario, settings, () => operatorController(spec)),
    keda: runPolicy(scenario, settings, () => kedaHpaController(spec)),
    references: references(scenario, settings),
  };
}
