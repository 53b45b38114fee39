import { roundRobinGroups } from "./assignment.js";
import type { GroupRates } from "./rates.js";

/** Events/s one replica works through, as last learned. */
export interface CapacityEstimate {
  perReplica: number;
  /**
   * `measured`: from members that had a backlog the whole interval, so they ran flat out.
   * `lowerBound`: only ever seen members with spare time; they can do at least this much.
   */
  basis: "measured" | "lowerBound";
  /** When it was learned (ms since the epoch). */
  at: number;
}

export interface CapacityReading {
  /** Rates over the latest interval (one sync period). */
  recent: GroupRates;
  /** Group members during that interval. */
  members: number;
  /** When the group last changed size (ms); readings across a rebalance are not used. */
  lastChangeAt: number | undefined;
  /** Pod start-up plus rebalance after a change (s). */
  rebalanceSeconds: number;
  /**
   * A partition whose lag stayed above this many seconds of its own production through the
   * interval kept its consumer busy the whole time: the consumer never ran out of work.
   */
  saturationSeconds: number;
}

/**
 * Updates the per-replica capacity from the latest interval.
 *
 * Members are the round-robin groups of partitions. A member is saturated when one of its
 * partitions kept a backlog through the interval; the mean of saturated members' consumption is a
 * measurement and replaces the estimate (it can go down: a slower downstream shows up here). An
 * idle member's consumption is only a lower bound (it consumed what arrived), so without a
 * saturated member the estimate can only rise: a quiet group never shrinks it.
 */
export function updateCapacity(
  previous: CapacityEstimate | undefined,
  reading: CapacityReading,
): CapacityEstimate | undefined {
  const { recent, members, lastChangeAt } = reading;
  if (!recent.known || members <= 0) return previous;
  if (lastChangeAt !== undefined && recent.from < lastChangeAt + reading.rebalanceSeconds * 1000) {
    return previous;
  }
  const parts = recent.partitions;
  const consumed: number[] = [];
  const saturated: number[] = [];
  for (const group of roundRobinGroups(parts.length, members)) {
    const own = group.map((i) => parts[i]).filter((p) => p !== undefined);
    const total = own.reduce((sum, p) => sum + (p.consumptionPerSecond ?? 0), 0);
    consumed.push(total);
    const busy = own.some(
      (p) => p.minLag > 0 && p.minLag > (p.productionPerSecond ?? 0) * reading.saturationSeconds,
    );
    // A member with a backlog that consumed nothing is stuck, not slow (group health reports it).
    if (busy && total > 0) saturated.push(total);
  }
  const at = recent.to;
  if (saturated.length > 0) {
    const perReplica = saturated.reduce((a, b) => a + b, 0) / saturated.length;
    return { perReplica, basis: "measured", at };
  }
  const lowerBound = Math.max(0, ...consumed);
  if (lowerBound <= 0) return previous;
  if (previous && previous.perReplica >= lowerBound) return previous;
  return { perReplica: lowerBound, basis: previous?.basis ?? "lowerBound", at };
}
