import type { ScaleHistory } from "../../operator/src/autoscale/history.js";
import { emptyHistory, recordDecision } from "../../operator/src/autoscale/history.js";
import { type GroupSample, observe } from "../../operator/src/autoscale/observation.js";
import {
  desiredReplicas,
  type PolicyTuning,
  type ScaleDecision,
  type ScalingSpec,
} from "../../operator/src/autoscale/policy.js";
import type { GroupReading, ReplicaController } from "./simulator.js";

/** How many seconds of readings the operator keeps per group: twice the rate window. */
const KEEP_SECONDS = 60;

export interface DecisionLog {
  at: number;
  current: number;
  decision: ScaleDecision;
}

/**
 * Our policy as the operator runs it: at each sync it adds the reading to the group's recent
 * samples, builds the observation with `observe`, asks `desiredReplicas`, and records the decision
 * in the group's history. `log` receives every decision (for reading a run afterwards).
 */
export function operatorController(
  spec: ScalingSpec,
  options: { tuning?: PolicyTuning; log?: (entry: DecisionLog) => void } = {},
): ReplicaController {
  let samples: GroupSample[] = [];
  let history: ScaleHistory = emptyHistory;
  return {
    syncPeriodSeconds: spec.syncPeriodSeconds,
    sync(reading: GroupReading): number {
      samples = [
        ...samples.filter((s) => s.observedAt > reading.at - KEEP_SECONDS * 1000),
        { observedAt: reading.at, partitions: reading.partitions, members: reading.members },
      ];
      const obs = observe(samples, {
        currentReplicas: reading.replicas,
        syncPeriodSeconds: spec.syncPeriodSeconds,
      });
      if (!obs) return reading.replicas;
      const decision = desiredReplicas(obs, spec, history, options.tuning);
      history = recordDecision(history, obs, decision, spec);
      options.log?.({ at: reading.at, current: reading.replicas, decision });
      return decision.replicas;
    },
  };
}
