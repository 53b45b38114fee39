import type { AnalyticsSnapshot } from "../../workloads/src/analytics/aggregator.js";

/** The counters the demo reports: what every analytics pod counted, added up. */
export interface Figures {
  pods: number;
  total_orders: number;
  processed_orders: number;
  reserved_orders: number;
  failed_orders: number;
  pending_orders: number;
  events_processed: number;
  duplicate_events: number;
  invalid_events: number;
  /** reserved / processed; 0 before the first result. */
  success_rate: number;
}

const counters = [
  "total_orders",
  "processed_orders",
  "reserved_orders",
  "failed_orders",
  "pending_orders",
  "events_processed",
  "duplicate_events",
  "invalid_events",
] as const;

/**
 * Each analytics pod counts the partitions it was assigned, so the pipeline's figures are the sum
 * over the pods (rates are recomputed from the sums).
 */
export function sumFigures(snapshots: AnalyticsSnapshot[]): Figures {
  const sum = Object.fromEntries(
    counters.map((k) => [k, snapshots.reduce((n, s) => n + s[k], 0)]),
  ) as Record<(typeof counters)[number], number>;
  return {
    pods: snapshots.length,
    ...sum,
    success_rate: sum.processed_orders ? sum.reserved_orders / sum.processed_orders : 0,
  };
}

/** Whether the figures account for every one of `orders` orders and its inventory result. */
export const countedAll = (f: Pick<Figures, "total_orders" | "processed_orders">, orders: number) =>
  f.total_orders >= orders && f.processed_orders >= orders;
