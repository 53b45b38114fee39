import type { ConsumerSpec } from "../api/types.js";

/** A replica count chosen by the autoscaler, with the reason it reports in status. */
export interface ScaleDecision {
  replicas: number;
  reason: string;
}

/**
 * The replicas to apply for one consumer: the seam where the autoscaler plugs in.
 *
 * - Autoscaling off: the spec's `replicas`.
 * - Autoscaling on: the autoscaler's decision when it has one; until then the Deployment's current
 *   replicas (so a restart or a spec edit never resets a scaled consumer), or `minReplicas` for a
 *   new Deployment. Always within [minReplicas, maxReplicas].
 */
export function consumerReplicas(
  consumer: ConsumerSpec,
  current: number | undefined,
  decision: ScaleDecision | undefined,
): number {
  const scaling = consumer.autoscaling;
  if (!scaling?.enabled) return consumer.replicas;
  const wanted = decision?.replicas ?? current ?? scaling.minReplicas;
  return Math.min(scaling.maxReplicas, Math.max(scaling.minReplicas, wanted));
}
