import type { PartitionLag } from "../kafka/lag.js";

/** One reading of a group's offsets: a GroupLag (lag-reader.ts) is one. */
export interface OffsetSample {
  /** When the offsets were read (ms since the epoch). */
  observedAt: number;
  partitions: ReadonlyArray<PartitionLag>;
}

export interface PartitionRate {
  topic: string;
  partition: number;
  /** Events/s written; null for a partition that appeared within the window (no baseline). */
  productionPerSecond: number | null;
  /** Events/s committed; null when the group had no commit at either end of the window. */
  consumptionPerSecond: number | null;
  /** The smallest lag seen on the partition in the window (0 when it was missing from a sample). */
  minLag: number;
}

export type GroupRates =
  | { known: false; reason: string }
  | {
      known: true;
      /** Start and end of the window actually used (ms since the epoch). */
      from: number;
      to: number;
      seconds: number;
      /** Sums over the partitions with a baseline; new partitions count from their next window. */
      productionPerSecond: number;
      consumptionPerSecond: number;
      /** Every partition of the newest sample, in its order. */
      partitions: PartitionRate[];
    };

export type KnownRates = Extract<GroupRates, { known: true }>;

const key = (p: { topic: string; partition: number }) => `${p.topic}/${p.partition}`;

/**
 * True when offsets went backwards between two samples: a group reset or replay moved its commits
 * back, or a topic was deleted and recreated. A rate across such a step means nothing.
 */
function wentBackwards(before: OffsetSample, after: OffsetSample): boolean {
  const earlier = new Map(before.partitions.map((p) => [key(p), p]));
  return after.partitions.some((p) => {
    const e = earlier.get(key(p));
    if (!e) return false;
    if (p.logEnd < e.logEnd) return true;
    return p.committed !== null && e.committed !== null && p.committed < e.committed;
  });
}

/**
 * The newest samples spanning about `windowSeconds` (a sample up to 10% older still counts, so
 * read jitter does not shrink a 30 s window to 20 s), oldest first. The window starts after the
 * last step where offsets went backwards (`reset`), since nothing spans such a step.
 */
export function recentWindow<S extends OffsetSample>(
  samples: readonly S[],
  windowSeconds: number,
): { samples: S[]; reset: boolean } {
  const ordered = [...samples].sort((a, b) => a.observedAt - b.observedAt);
  const last = ordered.at(-1);
  if (!last) return { samples: [], reset: false };
  const oldestAllowed = last.observedAt - windowSeconds * 1100;
  let start = ordered.length - 1;
  let reset = false;
  for (let i = ordered.length - 2; i >= 0; i--) {
    const sample = ordered[i] as S;
    if (sample.observedAt < oldestAllowed) break;
    reset = wentBackwards(sample, ordered[i + 1] as S);
    if (reset) break;
    start = i;
  }
  return { samples: ordered.slice(start), reset };
}

/**
 * Production and consumption rates over the newest `windowSeconds` of samples (see recentWindow).
 * With fewer than two usable samples, or under a second between them, the rates are unknown:
 * the policy then falls back to lag alone rather than guess. A partition that appeared within the
 * window has no baseline and counts from the next window on.
 */
export function groupRates(samples: readonly OffsetSample[], windowSeconds = 30): GroupRates {
  const { samples: usable, reset } = recentWindow(samples, windowSeconds);
  const first = usable[0];
  const last = usable.at(-1);
  if (!first || !last) return { known: false, reason: "no offsets read yet" };
  const seconds = (last.observedAt - first.observedAt) / 1000;
  if (seconds < 1) {
    return {
      known: false,
      reason: reset
        ? "offsets went back (a reset or replay); rates restart from the next reading"
        : `fewer than two readings at least 1 s apart in the last ${windowSeconds} s`,
    };
  }
  const window = usable.map((s) => new Map(s.partitions.map((p) => [key(p), p])));
  const baseline = window[0] as Map<string, PartitionLag>;
  const partitions = last.partitions.map((p): PartitionRate => {
    const base = baseline.get(key(p));
    return {
      topic: p.topic,
      partition: p.partition,
      productionPerSecond: base ? (p.logEnd - base.logEnd) / seconds : null,
      consumptionPerSecond:
        base?.committed != null && p.committed !== null
          ? (p.committed - base.committed) / seconds
          : null,
      minLag: Math.min(...window.map((s) => s.get(key(p))?.lag ?? 0)),
    };
  });
  const sum = (values: Array<number | null>) => values.reduce<number>((a, v) => a + (v ?? 0), 0);
  return {
    known: true,
    from: first.observedAt,
    to: last.observedAt,
    seconds,
    productionPerSecond: sum(partitions.map((p) => p.productionPerSecond)),
    consumptionPerSecond: sum(partitions.map((p) => p.consumptionPerSecond)),
    partitions,
  };
}
