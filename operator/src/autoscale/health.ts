import { count, seconds } from "./format.js";
import type { GroupSample } from "./observation.js";
import { recentWindow } from "./rates.js";

/**
 * Burrow's verdicts on a consumer group, judged over a window of readings rather than one lag
 * figure against a threshold.
 *
 * - OK: some reading in the window had zero lag on the partition (Burrow's first rule: a group
 *   that caught up at any point in the window is fine), or the group makes headway.
 * - WARN: lag grew across the window and never shrank between readings while committed offsets
 *   moved (or the group was rebalancing part of the time): it consumes slower than production.
 * - STALL: committed offsets did not move while lag stayed above zero, yet the group has members:
 *   consumers are alive but stuck (a poison message, a blocked downstream, an endless rebalance).
 * - STOP: lag above zero and the group has no members: nobody consumes at all.
 *
 * Burrow tells STOP from STALL by commit timestamps (no commit for longer than the window spans).
 * Kafka's OffsetFetch returns offsets without timestamps, and a member that commits the same
 * offset again looks exactly like one that does not commit, so we use the group's membership
 * from DescribeGroups instead: no members means nothing can commit (STOP); members with frozen
 * offsets are stuck (STALL). A window where the group was rebalancing part of the time is not
 * called stalled: a rebalance stops commits for a while by design.
 */
export type HealthStatus = "OK" | "WARN" | "STALL" | "STOP";

export interface PartitionHealth {
  topic: string;
  partition: number;
  status: HealthStatus;
  /** Lag in the newest reading. */
  lag: number;
  /** Lag change across the window. */
  lagChange: number;
  /** Events committed across the window. */
  consumed: number;
}

export interface GroupHealth {
  status: HealthStatus;
  /** CamelCase, for a status condition. */
  reason: "Healthy" | "LagGrowing" | "ConsumersStalled" | "ConsumersStopped";
  message: string;
  partitions: PartitionHealth[];
  /** Seconds the window spans. */
  windowSeconds: number;
}

/** A GroupSample with the coordinator's state (GroupLag has it). */
export interface HealthSample extends GroupSample {
  state?: string;
}

const severity: Record<HealthStatus, number> = { OK: 0, WARN: 1, STALL: 2, STOP: 3 };
const rebalancing = new Set(["PreparingRebalance", "CompletingRebalance"]);
const key = (p: { topic: string; partition: number }) => `${p.topic}/${p.partition}`;

/** Burrow-style health of one group over the readings of the last `windowSeconds`. */
export function groupHealth(samples: readonly HealthSample[], windowSeconds = 120): GroupHealth {
  const { samples: window } = recentWindow(samples, windowSeconds);
  const first = window[0];
  const last = window.at(-1);
  if (!first || !last) {
    return {
      status: "OK",
      reason: "Healthy",
      message: "no readings yet",
      partitions: [],
      windowSeconds: 0,
    };
  }
  const span = (last.observedAt - first.observedAt) / 1000;
  const byKey = window.map((s) => new Map(s.partitions.map((p) => [key(p), p])));
  const partlyRebalancing = window.some((s) => s.state !== undefined && rebalancing.has(s.state));
  const partitions = last.partitions.map((p): PartitionHealth => {
    // Only the readings that had the partition: one that appeared with a topic's new partitions
    // had no lag before it existed, which is not the same as having caught up.
    const history = byKey.flatMap((m) => m.get(key(p)) ?? []);
    const lags = history.map((h) => h.lag);
    const start = history[0] ?? p;
    const consumed = (p.committed ?? 0) - (start.committed ?? 0);
    const lagChange = p.lag - start.lag;
    const detail = { topic: p.topic, partition: p.partition, lag: p.lag, lagChange, consumed };
    if (lags.some((lag) => lag === 0)) return { ...detail, status: "OK" };
    if (last.members === 0) return { ...detail, status: "STOP" };
    if (history.length < 2) return { ...detail, status: "OK" };
    const neverShrank = lags.every((lag, i) => i === 0 || lag >= (lags[i - 1] ?? 0));
    const growing = neverShrank && lagChange > 0;
    if (consumed <= 0) {
      const stuckRebalancing = window.every((s) => s.state && rebalancing.has(s.state));
      if (!partlyRebalancing || stuckRebalancing) return { ...detail, status: "STALL" };
    }
    return { ...detail, status: growing ? "WARN" : "OK" };
  });
  const status = partitions.reduce<HealthStatus>(
    (worst, p) => (severity[p.status] > severity[worst] ? p.status : worst),
    "OK",
  );
  return {
    status,
    reason: reasons[status],
    message: describe(status, partitions, last.members, span),
    partitions,
    windowSeconds: span,
  };
}

const reasons: Record<HealthStatus, GroupHealth["reason"]> = {
  OK: "Healthy",
  WARN: "LagGrowing",
  STALL: "ConsumersStalled",
  STOP: "ConsumersStopped",
};

function describe(
  status: HealthStatus,
  partitions: readonly PartitionHealth[],
  members: number,
  span: number,
): string {
  const hit = partitions.filter((p) => p.status === status);
  const names = hit.slice(0, 5).map(key).join(", ");
  const more = hit.length > 5 ? ` and ${hit.length - 5} more` : "";
  const which = `${hit.length} of ${partitions.length} partitions (${names}${more})`;
  const lag = count(hit.reduce((sum, p) => sum + p.lag, 0));
  switch (status) {
    case "OK":
      return `lag ${count(partitions.reduce((sum, p) => sum + p.lag, 0))}; the group keeps up`;
    case "WARN":
      return `${which}: lag grew at every reading for ${seconds(span)}, now ${lag}; the group consumes slower than production`;
    case "STALL":
      return `${which}: ${members} members, but committed offsets did not move for ${seconds(span)} with lag ${lag}`;
    case "STOP":
      return `${which}: lag ${lag} and the group has no members`;
  }
}
