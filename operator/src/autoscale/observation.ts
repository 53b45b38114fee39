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
  /** Rates over the rate window (30 s, or one sync period if longer): production to plan for. */
  rates: GroupRates;
  /** Rates over the latest sync period: what members did just now (capacity, rising load). */
  recent: GroupRates;
  /** A replay owns the group: leave its replicas alone. */
  paused: boolean;
}

export interface ObserveOptions {
  currentReplicas: number;
  syncPeriodSeconds: number;
  /** 30 s unless told; never shorter than the sync period, or no window would hold two readings. */
  rateWindowSeconds?: number;
  paused?: boolean;
}

export const DEFAULT_RATE_WINDOW_SECONDS = 30;

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
    rates: groupRates(
      samples,
      Math.max(options.rateWindowSeconds ?? DEFAULT_RATE_WINDOW_SECONDS, options.syncPeriodSeconds),
    ),
    recent: groupRates(samples, options.syncPeriodSeconds),
    paused: options.paused ?? false,
  };
}
