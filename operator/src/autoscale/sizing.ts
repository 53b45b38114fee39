import { roundRobinGroups } from "./assignment.js";

/** What one partition asks of its consumer. */
export interface PartitionWork {
  /** Events/s arriving. */
  production: number;
  /** Events waiting. */
  lag: number;
}

export interface SizingInput {
  partitions: readonly PartitionWork[];
  /** Events/s one replica works through. */
  perReplica: number;
  /** Fraction of a replica's capacity to plan on (headroom for noise). */
  targetUtilization: number;
  catchUpSeconds: number;
  /** Replicas now: keeping them costs nothing, any other count costs a rebalance. */
  current: number;
  /** Seconds a change stops the group (pod start-up plus rebalance). */
  rebalanceSeconds: number;
  lower: number;
  upper: number;
}

export interface Sizing {
  replicas: number;
  /** True when `replicas` drains the backlog in time and keeps up; false means the best there is. */
  sufficient: boolean;
  /** The replicas that would keep up with production alone (no backlog), within the bounds. */
  keepUpReplicas: number;
}

/**
 * The busiest member's load (events/s) with `replicas` members: production on its partitions
 * plus their backlog spread over `drainSeconds`. A member only reads its own partitions, so the
 * busiest one, not the average, decides whether the group keeps up.
 */
export function peakMemberLoad(
  partitions: readonly PartitionWork[],
  replicas: number,
  drainSeconds: number,
): number {
  let peak = 0;
  for (const group of roundRobinGroups(partitions.length, replicas)) {
    let load = 0;
    for (const i of group) {
      const p = partitions[i];
      if (p) load += p.production + p.lag / drainSeconds;
    }
    peak = Math.max(peak, load);
  }
  return peak;
}

/** The most events any one member holds with `replicas` members (round-robin). */
export function peakMemberLag(lags: readonly number[], replicas: number): number {
  if (replicas <= 0) return lags.some((lag) => lag > 0) ? Number.POSITIVE_INFINITY : 0;
  let peak = 0;
  for (const group of roundRobinGroups(lags.length, replicas)) {
    peak = Math.max(
      peak,
      group.reduce((sum, i) => sum + (lags[i] ?? 0), 0),
    );
  }
  return peak;
}

export interface ThresholdSizing {
  replicas: number;
  /** True when no member of `replicas` holds more than the threshold. */
  sufficient: boolean;
}

/**
 * KEDA's rule, lag / lagThreshold, counted per member: the fewest replicas in [lower, upper] none
 * of whose members (round-robin over the partitions) holds more than `lagThreshold` events. That
 * is never fewer than ceil(total lag / lagThreshold), since the busiest member holds at least the
 * average, and more when the partitions do not split evenly: 10 replicas over 12 partitions leave
 * two partitions on some member, as 6 do, so a lag that 6 cannot take needs 12, not 10. When no
 * count in the bounds gets every member under the threshold, `upper`: as many as may be.
 */
export function sizeForLagThreshold(
  lags: readonly number[],
  lagThreshold: number,
  lower: number,
  upper: number,
): ThresholdSizing {
  for (let r = lower; r <= upper; r++) {
    if (peakMemberLag(lags, r) <= lagThreshold) return { replicas: r, sufficient: true };
  }
  return { replicas: Math.max(lower, upper), sufficient: false };
}

const idle = (partitions: readonly PartitionWork[]) =>
  partitions.every((p) => p.lag <= 0 && p.production <= 0);

/**
 * Seconds until every member has worked off its partitions' backlog at `perReplica` events/s
 * while production continues: 0 with no backlog, Infinity when some member gets more than it can
 * consume (its lag only grows, even if it has none yet).
 */
export function drainSeconds(
  partitions: readonly PartitionWork[],
  replicas: number,
  perReplica: number,
): number {
  if (replicas <= 0) return idle(partitions) ? 0 : Number.POSITIVE_INFINITY;
  let longest = 0;
  for (const group of roundRobinGroups(partitions.length, replicas)) {
    const lag = group.reduce((sum, i) => sum + (partitions[i]?.lag ?? 0), 0);
    const production = group.reduce((sum, i) => sum + (partitions[i]?.production ?? 0), 0);
    if (production > perReplica || (lag > 0 && production >= perReplica)) {
      return Number.POSITIVE_INFINITY;
    }
    if (lag > 0) longest = Math.max(longest, lag / (perReplica - production));
  }
  return longest;
}

/**
 * The fewest replicas in [lower, upper] whose busiest member can keep up and drain its backlog
 * within `catchUpSeconds`. A count other than the current one pays for its rebalance: the backlog
 * grows by `rebalanceSeconds` of production and the time left to drain shrinks by as much.
 *
 * Counts that leave the busiest member with as many partitions as a smaller count (5 replicas
 * over 12 partitions still leave 3 partitions on some member, as 4 do) are never chosen, since
 * the smaller count is tried first. When no count suffices, the count that drains soonest (see
 * below): the best the partitions allow.
 */
export function sizeForBacklog(input: SizingInput): Sizing {
  const { partitions, perReplica, targetUtilization, current, lower, upper } = input;
  const budget = perReplica * targetUtilization;
  const pause = input.rebalanceSeconds;
  // What a change finds once its rebalance is over: the backlog grown by the pause's production.
  const grown = partitions.map((p) => ({ ...p, lag: p.lag + p.production * pause }));
  const loadWith = (replicas: number) => {
    if (replicas <= 0) return idle(partitions) ? 0 : Number.POSITIVE_INFINITY;
    if (replicas === current) return peakMemberLoad(partitions, replicas, input.catchUpSeconds);
    return peakMemberLoad(grown, replicas, Math.max(1, input.catchUpSeconds - pause));
  };
  const keepUp = (replicas: number) =>
    replicas > 0
      ? peakMemberLoad(
          partitions.map((p) => ({ production: p.production, lag: 0 })),
          replicas,
          1,
        ) <= budget
      : idle(partitions);
  let keepUpReplicas = upper;
  for (let r = upper; r >= lower; r--) if (keepUp(r)) keepUpReplicas = r;
  for (let r = lower; r <= upper; r++) {
    if (loadWith(r) <= budget) return { replicas: r, sufficient: true, keepUpReplicas };
  }
  // Nothing meets the target: take the count that drains soonest at the planned utilization, its
  // rebalance included. A change stops the whole group while the backlog grows, which can cost more
  // than another replica gains (a hot partition's member keeps that partition whatever the count).
  // When no count ever drains, the most throughput: the group must catch up some time, so a
  // one-off rebalance is worth paying.
  const drainWith = (replicas: number) =>
    replicas === current
      ? drainSeconds(partitions, replicas, budget)
      : pause + drainSeconds(grown, replicas, budget);
  const option = (replicas: number) => ({
    replicas,
    drain: drainWith(replicas),
    load: peakMemberLoad(partitions, replicas, input.catchUpSeconds),
  });
  const better = (a: ReturnType<typeof option>, b: ReturnType<typeof option>) =>
    Number.isFinite(a.drain) || Number.isFinite(b.drain) ? a.drain < b.drain : a.load < b.load;
  let best = option(Math.max(lower, 1));
  for (let r = best.replicas + 1; r <= upper; r++) {
    const candidate = option(r);
    if (better(candidate, best)) best = candidate;
  }
  return { replicas: Math.min(best.replicas, upper), sufficient: false, keepUpReplicas };
}
