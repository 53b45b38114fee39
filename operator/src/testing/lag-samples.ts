// Small factories for the autoscaler's unit tests: readings of a consumer group's offsets as the
// lag reader takes them, written as compactly as a table row.
import type { HealthSample } from "../autoscale/health.js";
import { type OffsetResetPolicy, type PartitionOffsets, withLag } from "../kafka/lag.js";

/** 2026-01-01T00:00:00Z: readings are placed in seconds after it. */
export const T0 = Date.UTC(2026, 0, 1);

/** One partition: `[logEnd, committed]`, or the offsets in full (topic defaults to `orders`). */
export type PartitionReading =
  | readonly [logEnd: number, committed: number | null]
  | (Partial<PartitionOffsets> & Pick<PartitionOffsets, "logEnd" | "committed">);

export interface ReadingOptions {
  members?: number;
  state?: string;
  reset?: OffsetResetPolicy;
}

/**
 * A reading of the group `seconds` after T0. Tuples are partitions 0, 1, ... of topic `orders`
 * with the log starting at 0; lag follows the reset policy (earliest unless told).
 */
export function reading(
  seconds: number,
  partitions: readonly PartitionReading[],
  options: ReadingOptions = {},
): HealthSample {
  const offsets = partitions.map((p, i): PartitionOffsets => {
    if (isTuple(p))
      return { topic: "orders", partition: i, logStart: 0, logEnd: p[0], committed: p[1] };
    return { topic: "orders", partition: i, logStart: 0, ...p };
  });
  return {
    observedAt: T0 + seconds * 1000,
    partitions: withLag(offsets, options.reset ?? "earliest"),
    members: options.members ?? 1,
    ...(options.state ? { state: options.state } : {}),
  };
}

function isTuple(p: PartitionReading): p is readonly [number, number | null] {
  return Array.isArray(p);
}

/**
 * Readings every `everySeconds` from `from`, each partition produced at `produce` events/s and
 * committed at `consume` events/s from the offsets given (per partition: [logEnd, committed]).
 */
export function steadyReadings(options: {
  from?: number;
  count: number;
  everySeconds: number;
  start: ReadonlyArray<readonly [number, number]>;
  produce: readonly number[];
  consume: readonly number[];
  members?: number;
  state?: string;
}): HealthSample[] {
  const from = options.from ?? 0;
  return Array.from({ length: options.count }, (_, k) => {
    const t = k * options.everySeconds;
    return reading(
      from + t,
      options.start.map(([end, committed], i) => {
        const logEnd = end + (options.produce[i] ?? 0) * t;
        return [logEnd, Math.min(logEnd, committed + (options.consume[i] ?? 0) * t)] as const;
      }),
      {
        ...(options.members === undefined ? {} : { members: options.members }),
        ...(options.state ? { state: options.state } : {}),
      },
    );
  });
}
