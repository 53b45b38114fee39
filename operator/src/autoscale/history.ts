import type { AutoscalingSpec } from "../api/types.js";
import type { CapacityEstimate } from "./capacity.js";
import type { LagObservation } from "./observation.js";

/** What the group needed at one sync, before stabilization. */
export interface Recommendation {
  at: number;
  replicas: number;
  /** The group was working off a backlog: this need was temporary by nature. */
  catchingUp: boolean;
}

/** The last change of replicas the policy made. */
export interface ScaleChange {
  at: number;
  from: number;
  to: number;
  /** Events/s the group consumed just before, to judge whether a scale-up helped. */
  consumptionBefore: number | null;
}

/** What the policy remembers between syncs, per consumer group. */
export interface ScaleHistory {
  /** Recommendations within the scale-down stabilization window, oldest first. */
  recommendations: Recommendation[];
  /** The last good per-replica capacity: kept while the group is idle or rebalancing. */
  capacity?: CapacityEstimate;
  lastChange?: ScaleChange;
}

export const emptyHistory: ScaleHistory = { recommendations: [] };

/** What recordDecision needs from a decision (a ScaleDecision has all of it). */
export interface DecisionRecord {
  replicas: number;
  recommendation: number;
  catchingUp: boolean;
  capacity: CapacityEstimate | undefined;
}

/**
 * The history after a decision was applied: the recommendation joins the window (ones older than
 * the stabilization window drop out), the capacity estimate is kept, and a change of replicas is
 * remembered with the consumption rate before it.
 */
export function recordDecision(
  history: ScaleHistory,
  obs: Pick<LagObservation, "at" | "currentReplicas" | "rates">,
  decision: DecisionRecord,
  spec: Pick<AutoscalingSpec, "scaleDownStabilizationSeconds">,
): ScaleHistory {
  const since = obs.at - spec.scaleDownStabilizationSeconds * 1000;
  const next: ScaleHistory = {
    recommendations: [
      ...history.recommendations.filter((r) => r.at >= since && r.at < obs.at),
      { at: obs.at, replicas: decision.recommendation, catchingUp: decision.catchingUp },
    ],
  };
  const capacity = decision.capacity ?? history.capacity;
  if (capacity) next.capacity = capacity;
  if (decision.replicas !== obs.currentReplicas) {
    next.lastChange = {
      at: obs.at,
      from: obs.currentReplicas,
      to: decision.replicas,
      consumptionBefore: obs.rates.known ? obs.rates.consumptionPerSecond : null,
    };
  } else if (history.lastChange) {
    next.lastChange = history.lastChange;
  }
  return next;
}
