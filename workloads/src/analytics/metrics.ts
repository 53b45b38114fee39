import { Counter, Gauge, type Registry } from "prom-client";
import type { AnalyticsSnapshot, OrderAnalytics } from "./aggregator.js";

/**
 * Exposes the aggregator's figures as Prometheus metrics, read from one snapshot per scrape.
 * Counters are the aggregator's own monotonic counts.
 */
export function registerAnalyticsMetrics(registry: Registry, analytics: OrderAnalytics): void {
  const registers = [registry];
  let snapshot: AnalyticsSnapshot | undefined;
  // Every metric's collect() runs per scrape; the first takes the snapshot the others share.
  const current = () => {
    snapshot ??= analytics.snapshot();
    queueMicrotask(() => {
      snapshot = undefined;
    });
    return snapshot;
  };
  const counter = (name: string, help: string, value: (s: AnalyticsSnapshot) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(value(current()));
      },
    });
  const gauge = (name: string, help: string, value: (s: AnalyticsSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(value(current()));
      },
    });

  counter("analytics_orders_total", "Distinct OrderPlaced events seen", (s) => s.total_orders);
  new Counter({
    name: "analytics_inventory_results_total",
    help: "Distinct inventory results seen, by outcome",
    labelNames: ["outcome"] as const,
    registers,
    collect() {
      const s = current();
      this.reset();
      this.inc({ outcome: "reserved" }, s.reserved_orders);
      this.inc({ outcome: "failed" }, s.failed_orders);
    },
  });
  counter(
    "analytics_duplicate_events_total",
    "Events dropped as duplicates of an event_id",
    (s) => s.duplicate_events,
  );
  counter(
    "analytics_invalid_events_total",
    "Messages that were not valid pipeline events",
    (s) => s.invalid_events,
  );
  gauge(
    "analytics_orders_per_minute",
    "OrderPlaced events in the last minute of event time",
    (s) => s.orders_per_minute,
  );
  gauge(
    "analytics_success_ratio",
    "Reserved orders over orders with a result",
    (s) => s.success_rate,
  );
  gauge(
    "analytics_failure_ratio",
    "Failed orders over orders with a result",
    (s) => s.failure_rate,
  );
  gauge(
    "analytics_throughput_events_per_second",
    "Events per second over the last minute of event time",
    (s) => s.throughput_per_second,
  );
  gauge(
    "analytics_pending_orders",
    "Orders without an inventory result yet",
    (s) => s.pending_orders,
  );
  gauge("analytics_last_event_timestamp_seconds", "Event time of the latest event seen", (s) =>
    s.last_event_at === null ? 0 : Date.parse(s.last_event_at) / 1000,
  );
}
