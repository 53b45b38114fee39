import type { AutoscalingSpec } from "../api/types.js";
import { totalLag } from "../kafka/lag.js";
import { type CapacityEstimate, updateCapacity } from "./capacity.js";
import { count, rate, replicas, seconds } from "./format.js";
import type { ScaleHistory } from "./history.js";
import type { LagObservation } from "./observation.js";
import { drainSeconds, type PartitionWork, sizeForBacklog, sizeForLagThreshold } from "./sizing.js";

export type ScalingSpec = Pick<
  AutoscalingSpec,
  | "minReplicas"
  | "maxReplicas"
  | "lagThreshold"
  | "catchUpSeconds"
  | "scaleDownStabilizationSeconds"
  | "syncPeriodSeconds"
  | "capAtPartitionsWithLag"
>;

/** Constants the CRD does not expose; the defaults suit kafkajs consumers on Kubernetes. */
export interface PolicyTuning {
  /** Seconds from a change of replicas until the group consumes again (pod start + rebalance). */
  rebalanceSeconds: number;
  /** Plan on this fraction of a replica's measured capacity. */
  targetUtilization: number;
  /** Seconds of its own production a partition's lag must exceed to keep its consumer busy. */
  saturationSeconds: number;
  /** A scale-up that raised consumption by less than this fraction did not help. */
  minimumGain: number;
}

export const defaultTuning: PolicyTuning = {
  rebalanceSeconds: 15,
  targetUtilization: 0.9,
  saturationSeconds: 5,
  minimumGain: 0.1,
};

export type ScaleReason =
  | "PausedForReplay"
  | "NoPartitions"
  | "ScaledUpFromZero"
  | "ScaledUpForBacklog"
  | "ScaledUpForThroughput"
  | "LagThresholdFallback"
  | "HeldAfterIneffectiveScaleUp"
  | "HeldWhileCatchingUp"
  | "HeldForStabilization"
  | "ScaledDownAfterStabilization"
  | "AtPartitionCap"
  | "AtMaxReplicas"
  | "Steady";

export interface ScaleDecision {
  replicas: number;
  /** CamelCase, for status and Events. */
  reason: ScaleReason;
  /** For people, with the numbers behind the decision. */
  message: string;
  /** Predicted seconds until the backlog is worked off with `replicas`; null if unknown or never. */
  timeToDrainSeconds: number | null;
  /** A scale-up settled and consumption did not rise: the bottleneck is elsewhere. */
  ineffectiveScaleUp: boolean;
  /** At the partition count and still falling behind: only more partitions would help. */
  partitionLimited: boolean;
  /** What the group needs now, before stabilization (kept in history for scale-down). */
  recommendation: number;
  /** The lag is more than one sync period of production explains, and over lagThreshold. */
  catchingUp: boolean;
  /** Per-replica capacity used (kept in history). */
  capacity: CapacityEstimate | undefined;
}

interface Bounds {
  lower: number;
  /** Where scale-up stops: maxReplicas, the partitions (or those with lag, when asked). */
  upper: number;
  /** What is never exceeded: maxReplicas and the partition count. */
  hardUpper: number;
  capReason: "AtPartitionCap" | "AtMaxReplicas";
}

/** What the group needs, before the rules on when to change. */
interface Need {
  replicas: number;
  /**
   * `fallback`: lag / lagThreshold, for want of a measured per-replica rate.
   * `unmeasured`: members have always had time to spare, so their rate is unknown but enough.
   */
  basis: "backlog" | "throughput" | "fallback" | "unmeasured";
  /** More replicas were wanted than the bounds allow. */
  capped: boolean;
  drainSeconds: number | null;
  /** Production alone is more than `upper` replicas can consume (null: unknown). */
  cannotKeepUp: boolean | null;
  /** What the lag threshold asked, when a rate seen so far showed fewer replicas enough. */
  thresholdReplicas?: number;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Production per partition to plan for: the lower of the latest sync period's rate and the rate
 * over the rest of the rate window. A rise counts once two readings show it; a jump seen in one
 * reading only is a burst, and a burst is already in the lag: planning on it as a rate as well
 * would count it twice and size the group for load that has stopped. Null before any rate is known.
 */
function productionByPartition(obs: LagObservation): number[] | null {
  const { rates, recent } = obs;
  const latest = recent.known ? recent : rates.known ? rates : null;
  if (!latest) return null;
  const earlierSeconds = rates.known && recent.known ? rates.seconds - recent.seconds : 0;
  return obs.partitions.map((_, i) => {
    const now = latest.partitions[i]?.productionPerSecond ?? 0;
    if (!rates.known || earlierSeconds < 1) return Math.max(0, now);
    const inWindow = (rates.partitions[i]?.productionPerSecond ?? 0) * rates.seconds;
    const inLatest = now * latest.seconds;
    return Math.max(0, Math.min(now, (inWindow - inLatest) / earlierSeconds));
  });
}

function replicaBounds(
  obs: LagObservation,
  spec: ScalingSpec,
  lag: number,
  production: number | null,
): Bounds {
  const partitionCount = obs.partitions.length;
  const hardUpper = Math.min(spec.maxReplicas, partitionCount);
  const withLag = obs.partitions.filter((p) => p.lag > 0).length;
  const upper = spec.capAtPartitionsWithLag ? Math.min(hardUpper, withLag) : hardUpper;
  // minReplicas 0 scales to zero only while nothing arrives and nothing waits.
  const wake = spec.minReplicas === 0 && (lag > 0 || (production ?? 0) > 0) ? 1 : 0;
  const lower = Math.min(Math.max(spec.minReplicas, wake), hardUpper);
  return {
    lower,
    upper: Math.max(upper, lower),
    hardUpper,
    capReason: partitionCount <= spec.maxReplicas ? "AtPartitionCap" : "AtMaxReplicas",
  };
}

function rateNeed(
  obs: LagObservation,
  spec: ScalingSpec,
  tuning: PolicyTuning,
  bounds: Bounds,
  production: number[],
  perReplica: number,
): Need {
  const work: PartitionWork[] = obs.partitions.map((p, i) => ({
    production: production[i] ?? 0,
    lag: p.lag,
  }));
  const sizing = sizeForBacklog({
    partitions: work,
    perReplica,
    targetUtilization: tuning.targetUtilization,
    catchUpSeconds: spec.catchUpSeconds,
    current: obs.currentReplicas,
    rebalanceSeconds: tuning.rebalanceSeconds,
    lower: bounds.lower,
    upper: bounds.upper,
  });
  const drain = drainSeconds(work, sizing.replicas, perReplica);
  const changing = sizing.replicas !== obs.currentReplicas && drain > 0;
  const allPartitions = sizeForBacklog({
    partitions: work.map((w) => ({ ...w, lag: 0 })),
    perReplica,
    targetUtilization: 1,
    catchUpSeconds: spec.catchUpSeconds,
    current: obs.currentReplicas,
    rebalanceSeconds: 0,
    lower: Math.max(1, bounds.lower),
    upper: Math.max(1, obs.partitions.length),
  });
  return {
    replicas: sizing.replicas,
    basis: sizing.replicas > sizing.keepUpReplicas ? "backlog" : "throughput",
    // More replicas were wanted than the bounds allow; short of them, the count that drains soonest
    // may be fewer (more would not help), which is no cap.
    capped: !sizing.sufficient && sizing.replicas >= bounds.upper,
    drainSeconds: Number.isFinite(drain) ? drain + (changing ? tuning.rebalanceSeconds : 0) : null,
    cannotKeepUp: !allPartitions.sufficient,
  };
}

/**
 * Without a measured per-replica rate: KEDA's rule, lag / lagThreshold, counted per member (the
 * busiest member's lag, see sizeForLagThreshold), capped exactly at the bounds.
 */
function fallbackNeed(obs: LagObservation, spec: ScalingSpec, bounds: Bounds): Need {
  const lags = obs.partitions.map((p) => p.lag);
  const sizing = sizeForLagThreshold(lags, spec.lagThreshold, bounds.lower, bounds.upper);
  return {
    replicas: sizing.replicas,
    basis: "fallback",
    capped: !sizing.sufficient && sizing.replicas >= bounds.upper,
    drainSeconds: null,
    cannotKeepUp: null,
  };
}

/**
 * What the group needs. A measured per-replica rate sizes it. Without one, the lag threshold does,
 * at once (a backlog is not left waiting for a measurement): see fallbackNeed. A rate seen only
 * from members with time to spare is a floor on what they can do, so the size it gives is an upper
 * bound on the need: it may hold or lower the replicas, or the lag threshold's answer, never raise
 * them.
 */
function groupNeed(
  obs: LagObservation,
  spec: ScalingSpec,
  tuning: PolicyTuning,
  bounds: Bounds,
  catchingUp: boolean,
  production: number[] | null,
  capacity: CapacityEstimate | undefined,
): Need {
  const fallback = fallbackNeed(obs, spec, bounds);
  if (!production) return fallback;
  const sized = capacity && rateNeed(obs, spec, tuning, bounds, production, capacity.perReplica);
  if (sized && capacity?.basis === "measured") return sized;
  const current = obs.currentReplicas;
  if (sized && sized.replicas <= current) return { ...sized, capped: false, cannotKeepUp: null };
  if (!catchingUp) {
    return {
      replicas: sized ? current : Math.min(current, fallback.replicas),
      basis: "unmeasured",
      capped: false,
      drainSeconds: null,
      cannotKeepUp: null,
    };
  }
  if (sized && sized.replicas < fallback.replicas) {
    return {
      ...fallback,
      replicas: sized.replicas,
      capped: false,
      thresholdReplicas: fallback.replicas,
    };
  }
  return fallback;
}

/**
 * A scale-up settled (two sync periods plus the rebalance) with a backlog still there, yet the
 * group consumes less than `minimumGain` more than before it: the bottleneck is elsewhere
 * (downstream, the broker, a hot partition), and more replicas would be wasted.
 */
function isIneffectiveScaleUp(
  obs: LagObservation,
  spec: ScalingSpec,
  history: ScaleHistory,
  tuning: PolicyTuning,
  lag: number,
): boolean {
  const change = history.lastChange;
  if (!change || change.to <= change.from || change.consumptionBefore === null) return false;
  if (obs.currentReplicas !== change.to || lag <= spec.lagThreshold) return false;
  const settle = (2 * spec.syncPeriodSeconds + tuning.rebalanceSeconds) * 1000;
  if (obs.at - change.at < settle) return false;
  const { rates } = obs;
  if (!rates.known || rates.from < change.at + tuning.rebalanceSeconds * 1000) return false;
  return rates.consumptionPerSecond < change.consumptionBefore * (1 + tuning.minimumGain);
}

/**
 * At the partition count, with a backlog, and production outruns what the group can consume:
 * predicted from the measured per-replica rate, or seen over a rate window that started after the
 * last rebalance (a window spanning one holds the pause, when nothing is consumed).
 */
function isPartitionLimited(
  obs: LagObservation,
  spec: ScalingSpec,
  history: ScaleHistory,
  tuning: PolicyTuning,
  need: Need,
  lag: number,
): boolean {
  const atPartitions = obs.currentReplicas >= obs.partitions.length;
  if (!atPartitions || lag <= spec.lagThreshold) return false;
  const { rates } = obs;
  const settledAt =
    (history.lastChange?.at ?? Number.NEGATIVE_INFINITY) + tuning.rebalanceSeconds * 1000;
  const measuredBehind =
    rates.known &&
    rates.from >= settledAt &&
    rates.consumptionPerSecond < rates.productionPerSecond;
  return measuredBehind || need.cannotKeepUp === true;
}

function needMessage(
  need: Need,
  lag: number,
  production: number | null,
  capacity: CapacityEstimate | undefined,
) {
  const perReplica = capacity?.perReplica ?? 0;
  const seenSoFar = capacity
    ? `at least ${rate(perReplica)} per replica seen so far`
    : "no replica seen consuming yet";
  if (need.basis === "fallback" && need.thresholdReplicas !== undefined) {
    return `lag ${count(lag)} with the per-replica rate not measured: the lag threshold asks ${replicas(need.thresholdReplicas)}, but ${replicas(need.replicas)} drain it in time even at the ${rate(perReplica)} per replica seen so far`;
  }
  if (need.basis === "fallback") {
    const known = production ? `the per-replica rate not measured (${seenSoFar})` : "no rates yet";
    return `lag ${count(lag)} with ${known}: ${replicas(need.replicas)} at the lag threshold`;
  }
  if (need.basis === "unmeasured") {
    return `lag ${count(lag)} at ${rate(production ?? 0)} in; replicas keep up with time to spare (${seenSoFar}): ${replicas(need.replicas)}`;
  }
  const drain =
    need.drainSeconds === null
      ? "still fall behind"
      : need.drainSeconds > 0
        ? `drain it in ${seconds(need.drainSeconds)}`
        : "keep up";
  return `lag ${count(lag)} at ${rate(production ?? 0)} in, ${rate(perReplica)} per replica: ${replicas(need.replicas)} ${drain}`;
}

/**
 * The replicas one consumer group should run, and why.
 *
 * - The need: with a measured per-replica rate, the fewest replicas whose busiest member
 *   (round-robin over all the group's partitions) keeps up with production and drains its backlog
 *   within catchUpSeconds, or, when no count can, the count that drains soonest. Production is
 *   planned on once two readings show it; a one-off burst counts as lag only.
 * - Without a measured rate (before any rate is known, or members have always had time to
 *   spare): lag / lagThreshold at once, counted per member (the fewest replicas none of whose
 *   members holds more than lagThreshold), which is never fewer than ceil(lag / lagThreshold).
 *   What members have done so far may hold or lower that answer, never raise it.
 * - Bounds: minReplicas (0 allowed: scale to zero while nothing arrives or waits), maxReplicas,
 *   and exactly the partition count (or the partitions with lag, when asked): never one more.
 * - Scale up to the need at once, in one step (each change costs the whole group a rebalance).
 * - Scale down never while catching up, and only once the whole stabilization window has been
 *   watched with no recommendation in it made while catching up; then to the window's highest
 *   recommendation: one step down after a burst, not a staircase (a step the window would follow
 *   with another before its rebalance is over waits to be taken with it).
 * - Paused while a replay owns the group.
 */
export function desiredReplicas(
  obs: LagObservation,
  spec: ScalingSpec,
  history: ScaleHistory,
  tuning: PolicyTuning = defaultTuning,
): ScaleDecision {
  const current = obs.currentReplicas;
  const lag = totalLag(obs.partitions);
  const production = productionByPartition(obs);
  const totalProduction = production === null ? null : sum(production);
  const capacity = updateCapacity(history.capacity, {
    recent: obs.recent,
    members: obs.members,
    lastChangeAt: history.lastChange?.at,
    rebalanceSeconds: tuning.rebalanceSeconds,
    saturationSeconds: tuning.saturationSeconds,
  });
  const catchingUp =
    lag > Math.max(spec.lagThreshold, (totalProduction ?? 0) * spec.syncPeriodSeconds);
  const decide = (
    replicasNow: number,
    reason: ScaleReason,
    message: string,
    extra: Partial<ScaleDecision> = {},
  ): ScaleDecision => ({
    replicas: replicasNow,
    reason,
    message,
    timeToDrainSeconds: null,
    ineffectiveScaleUp: false,
    partitionLimited: false,
    recommendation: replicasNow,
    catchingUp,
    capacity,
    ...extra,
  });

  if (obs.paused) {
    return decide(
      current,
      "PausedForReplay",
      `a replay owns the group: holding ${replicas(current)}`,
    );
  }
  if (obs.partitions.length === 0) {
    return decide(
      current,
      "NoPartitions",
      `no partitions found for the group's topics: holding ${replicas(current)}`,
    );
  }

  const bounds = replicaBounds(obs, spec, lag, totalProduction);
  const need = groupNeed(obs, spec, tuning, bounds, catchingUp, production, capacity);
  const ineffectiveScaleUp = isIneffectiveScaleUp(obs, spec, history, tuning, lag);
  const partitionLimited = isPartitionLimited(obs, spec, history, tuning, need, lag);
  const flags = {
    ineffectiveScaleUp,
    partitionLimited,
    recommendation: need.replicas,
    timeToDrainSeconds: need.drainSeconds,
  };
  const why = needMessage(need, lag, totalProduction, capacity);
  const capNote = partitionLimited ? "; only more partitions would help" : "";

  if (current > bounds.hardUpper) {
    const limit =
      bounds.capReason === "AtPartitionCap"
        ? `the ${count(obs.partitions.length)} partitions`
        : `maxReplicas ${spec.maxReplicas}`;
    return decide(
      bounds.hardUpper,
      bounds.capReason,
      `${current} replicas exceed ${limit}: scaling to ${bounds.hardUpper}`,
      flags,
    );
  }
  if (need.replicas > current) {
    if (ineffectiveScaleUp) {
      const before = history.lastChange?.consumptionBefore ?? 0;
      const now = obs.rates.known ? obs.rates.consumptionPerSecond : 0;
      return decide(
        current,
        "HeldAfterIneffectiveScaleUp",
        `scaling to ${replicas(current)} raised consumption only from ${rate(before)} to ${rate(now)}: the bottleneck is elsewhere; holding (${why})`,
        flags,
      );
    }
    const reason: ScaleReason =
      current === 0
        ? "ScaledUpFromZero"
        : need.basis === "fallback"
          ? "LagThresholdFallback"
          : need.basis === "backlog"
            ? "ScaledUpForBacklog"
            : "ScaledUpForThroughput";
    const capped = need.capped ? ` (capped: ${reasonText(bounds.capReason)})` : "";
    return decide(need.replicas, reason, `${why}${capped}${capNote}`, flags);
  }
  if (need.replicas < current) {
    if (catchingUp) {
      return decide(
        current,
        "HeldWhileCatchingUp",
        `${why}; no scale-down while catching up`,
        flags,
      );
    }
    const since = obs.at - spec.scaleDownStabilizationSeconds * 1000;
    const window = history.recommendations.filter((r) => r.at >= since);
    const highest = Math.max(need.replicas, ...window.map((r) => r.replicas));
    // The whole window must have been watched: after an operator restart the history is empty,
    // and a need seen for a few seconds says nothing about the last few minutes.
    const watchedSince = Math.min(obs.at, ...history.recommendations.map((r) => r.at));
    if (watchedSince > since) {
      return decide(
        current,
        "HeldForStabilization",
        `${why}; holding ${replicas(current)}: the group has been watched for ${seconds((obs.at - watchedSince) / 1000)} of the ${seconds(spec.scaleDownStabilizationSeconds)} window`,
        flags,
      );
    }
    if (window.some((r) => r.catchingUp) || highest >= current) {
      return decide(
        current,
        "HeldForStabilization",
        `${why}; holding ${replicas(current)}: up to ${replicas(Math.max(highest, current))} needed or catching up within the last ${seconds(spec.scaleDownStabilizationSeconds)}`,
        flags,
      );
    }
    // A step down that the window would follow with another before the step's own rebalance is
    // over costs the group two rebalances for one: wait, and take both in one.
    const lastAtHighest = Math.max(...window.filter((r) => r.replicas >= highest).map((r) => r.at));
    const highestUntil = lastAtHighest + spec.scaleDownStabilizationSeconds * 1000;
    if (highest > need.replicas && highestUntil - obs.at < tuning.rebalanceSeconds * 1000) {
      return decide(
        current,
        "HeldForStabilization",
        `${why}; holding ${replicas(current)}: the need for ${highest} leaves the ${seconds(spec.scaleDownStabilizationSeconds)} window in ${seconds((highestUntil - obs.at) / 1000)}, before a step to ${highest} would finish its ${seconds(tuning.rebalanceSeconds)} rebalance: one step down then instead of two`,
        flags,
      );
    }
    return decide(
      highest,
      "ScaledDownAfterStabilization",
      `${why}; no more than ${replicas(highest)} needed for ${seconds(spec.scaleDownStabilizationSeconds)}: ${current} → ${highest}`,
      flags,
    );
  }
  if (need.capped) {
    return decide(
      current,
      bounds.capReason,
      `${why}; held at ${reasonText(bounds.capReason)}${capNote}`,
      flags,
    );
  }
  return decide(current, "Steady", why, flags);
}

const reasonText = (reason: Bounds["capReason"]) =>
  reason === "AtPartitionCap" ? "the partition count" : "maxReplicas";
