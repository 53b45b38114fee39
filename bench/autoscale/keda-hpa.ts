import type { GroupReading, ReplicaController } from "./simulator.js";

// What KEDA's Kafka scaler and the Kubernetes HPA do with a consumer group's lag, written out so
// the benchmark can run it next to our policy on the same simulated group.
//
// KEDA's scaler reports one external metric, the group's total lag, with an AverageValue target of
// lagThreshold; without allowIdleConsumers it caps the metric at partitions x lagThreshold. The
// HPA turns that into replicas every sync period: ceil(metric / target) unless within the 10%
// tolerance, then its scale-down stabilization window and its rate limits. The constants are the
// HPA's documented defaults for autoscaling/v2 behavior.

export interface HpaBehavior {
  syncPeriodSeconds: number;
  /** No change while metric / (target x replicas) is within 1 +- tolerance. */
  tolerance: number;
  /** Scale down to the highest recommendation of this many seconds. */
  scaleDownStabilizationSeconds: number;
  /** Scale-up per period: at most the larger of +percent and +pods over the period's start. */
  scaleUpPercent: number;
  scaleUpPods: number;
  scaleUpPeriodSeconds: number;
  /** Scale-down per period: at most this percent of the period's start. */
  scaleDownPercent: number;
  scaleDownPeriodSeconds: number;
}

export const hpaDefaults: HpaBehavior = {
  syncPeriodSeconds: 15,
  tolerance: 0.1,
  scaleDownStabilizationSeconds: 300,
  scaleUpPercent: 100,
  scaleUpPods: 4,
  scaleUpPeriodSeconds: 15,
  scaleDownPercent: 100,
  scaleDownPeriodSeconds: 15,
};

export interface KedaSpec {
  minReplicas: number;
  maxReplicas: number;
  lagThreshold: number;
}

/**
 * KEDA's Kafka scaler metric: the total lag, capped at partitions x lagThreshold. The cap is
 * tested with integer division, `totalLag / lagThreshold > partitions`, so a lag between
 * partitions x threshold and (partitions + 1) x threshold passes uncapped and the HPA asks for one
 * replica more than there are partitions (the off-by-one at the cap).
 */
export function kedaLagMetric(
  partitions: ReadonlyArray<{ lag: number }>,
  lagThreshold: number,
): number {
  const totalLag = partitions.reduce((sum, p) => sum + Math.floor(p.lag), 0);
  const count = partitions.length;
  return Math.floor(totalLag / lagThreshold) > count ? count * lagThreshold : totalLag;
}

/** The HPA's replicas for an AverageValue external metric (its replica calculator). */
export function hpaMetricReplicas(
  metric: number,
  target: number,
  currentReplicas: number,
  tolerance: number,
): number {
  const ratio = metric / (target * currentReplicas);
  if (Math.abs(1 - ratio) <= tolerance) return currentReplicas;
  return Math.ceil(metric / target);
}

export interface Recommendation {
  at: number;
  replicas: number;
}

/**
 * The HPA's scale-down stabilization: never below the highest recommendation made within the
 * window (the new one included). Scale-up has no window by default.
 */
export function stabilized(
  recommendations: readonly Recommendation[],
  desired: number,
  currentReplicas: number,
  now: number,
  windowSeconds: number,
): number {
  const cutoff = now - windowSeconds * 1000;
  const highest = recommendations
    .filter((r) => r.at > cutoff)
    .reduce((max, r) => Math.max(max, r.replicas), desired);
  return Math.min(Math.max(currentReplicas, desired), highest);
}

export interface ScaleEvent {
  at: number;
  /** Replicas added (positive) or removed (negative). */
  change: number;
}

const changedWithin = (events: readonly ScaleEvent[], now: number, seconds: number) =>
  events.filter((e) => e.at > now - seconds * 1000).reduce((sum, e) => sum + e.change, 0);

/**
 * The HPA's rate limits and bounds: scale up by at most max(+percent, +pods) and down by at most
 * percent, both counted from the replicas at the start of the period, then within [min, max].
 */
export function rateLimited(
  desired: number,
  currentReplicas: number,
  events: readonly ScaleEvent[],
  now: number,
  spec: Pick<KedaSpec, "minReplicas" | "maxReplicas">,
  behavior: HpaBehavior,
): number {
  if (desired > currentReplicas) {
    const start = currentReplicas - changedWithin(events, now, behavior.scaleUpPeriodSeconds);
    const limit = Math.max(
      start + behavior.scaleUpPods,
      Math.ceil(start * (1 + behavior.scaleUpPercent / 100)),
      currentReplicas,
    );
    return Math.min(desired, limit, spec.maxReplicas);
  }
  if (desired < currentReplicas) {
    const start = currentReplicas - changedWithin(events, now, behavior.scaleDownPeriodSeconds);
    const limit = Math.min(
      Math.floor(start * (1 - behavior.scaleDownPercent / 100)),
      currentReplicas,
    );
    return Math.max(desired, limit, spec.minReplicas);
  }
  return desired;
}

/** KEDA's Kafka scaler driving an HPA with default behavior, as one controller. */
export function kedaHpaController(
  spec: KedaSpec,
  behavior: HpaBehavior = hpaDefaults,
): ReplicaController {
  let recommendations: Recommendation[] = [];
  let events: ScaleEvent[] = [];
  return {
    syncPeriodSeconds: behavior.syncPeriodSeconds,
    sync(reading: GroupReading): number {
      const now = reading.at;
      const current = reading.replicas;
      // Outside [min, max] the HPA moves straight to the bound, without looking at the metric.
      if (current > spec.maxReplicas) return spec.maxReplicas;
      if (current < spec.minReplicas) return spec.minReplicas;
      // The window starts with the current replicas, so a new HPA does not scale down at once.
      if (recommendations.length === 0) recommendations = [{ at: now, replicas: current }];
      const metric = kedaLagMetric(reading.partitions, spec.lagThreshold);
      const desired = hpaMetricReplicas(metric, spec.lagThreshold, current, behavior.tolerance);
      const stable = stabilized(
        recommendations,
        desired,
        current,
        now,
        behavior.scaleDownStabilizationSeconds,
      );
      const keep = now - behavior.scaleDownStabilizationSeconds * 1000;
      recommendations = [
        ...recommendations.filter((r) => r.at > keep),
        { at: now, replicas: desired },
      ];
      const next = rateLimited(stable, current, events, now, spec, behavior);
      if (next !== current) {
        const period = Math.max(behavior.scaleUpPeriodSeconds, behavior.scaleDownPeriodSeconds);
        events = [
          ...events.filter((e) => e.at > now - period * 1000),
          { at: now, change: next - current },
        ];
      }
      return next;
    },
  };
}
