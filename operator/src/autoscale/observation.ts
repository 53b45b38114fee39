import type { PartitionLag } from "../kafka/lag.js";
import { type GroupRates, groupRates, type OffsetSample } from "./rates.js";

/** A reading of the group: a GroupLag from lag-reader.ts is one. */
export interface GroupSample extends OffsetSample {
  members: number;
}

/** Everything the policy looks at for one consumer at one sync. */
export interface LagObservation {
  /** When the newest offsets were read (ms since the epoch). */
  at: number;
  /** The newest per-partition offsets and lag, over all of the group's topics. */
  partitions: readonly PartitionLag[];
  /** Group members in the newest reading. */
  members: number;
  /** The Deployment's replicas as the operator last set them. */
  currentReplicas: number;
  /** Rates over the rate window (about 30 s): production to plan for. */
  rates: GroupRates;
  /** Rates over the latest sync period: what members did just now (capacity, rising load). */
  recent: GroupRates;
  /** A replay owns the group: leave its replicas alone. */
  paused: boolean;
}

export interface ObserveOptions {
  currentReplicas: number;
  syncPeriodSeconds: number;
  rateWindowSeconds?: number;
  paused?: boolean;
}

/**
 * Builds the policy's input from the readings the operator kept for a group (oldest first or in
 * any order; keep at least the rate window's worth). Undefined before the first reading.
 */
export function observe(
  samples: readonly GroupSample[],
  options: ObserveOptions,
): LagObservation | undefined {
  const newest = samples.reduce<GroupSample | undefined>(
    (a, s) => (a === undefined || s.observedAt >= a.observedAt ? s : a),
    undefined,
  );
  if (!newest) return undefined;
  return {
    at: newest.observedAt,
    partitions: newest.partitions,
    members: newest.members,
    currentReplicas: options.currentReplicas,
    rates: groupRates(samples, options.rateWindowSeconds ?? 30),
    recent: groupRates(samples, options.syncPeriodSeconds),
    paused: options.paused ?? false,
  };
}
