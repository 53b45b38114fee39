import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The operator's Prometheus metrics, in a registry of its own (so two operators can share a process). */
export interface OperatorMetrics {
  registry: Registry;
  reconcileTotal: Counter<"result">;
  reconcileErrors: Counter<"reason">;
  reconcileDuration: Histogram<"result">;
  queueDepth: Gauge;
  queueRetries: Counter;
  watchRestarts: Counter<"informer">;
  isLeader: Gauge;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): OperatorMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    reconcileTotal: new Counter({
      name: "streaming_orders_reconcile_total",
      help: "Reconciles of StreamingPipelines by result (success, retry, error)",
      labelNames: ["result"],
      registers,
    }),
    reconcileErrors: new Counter({
      name: "streaming_orders_reconcile_errors_total",
      help: "Reconciles that failed, by reason (KafkaUnreachable, ApiError, ...)",
      labelNames: ["reason"],
      registers,
    }),
    reconcileDuration: new Histogram({
      name: "streaming_orders_reconcile_duration_seconds",
      help: "Time one reconcile took",
      labelNames: ["result"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    queueDepth: new Gauge({
      name: "streaming_orders_workqueue_depth",
      help: "Pipelines waiting in the work queue for a worker",
      registers,
    }),
    queueRetries: new Counter({
      name: "streaming_orders_workqueue_retries_total",
      help: "Pipelines put back in the work queue after a failure (with backoff)",
      registers,
    }),
    watchRestarts: new Counter({
      name: "streaming_orders_watch_restarts_total",
      help: "Watches restarted after an error, by informer",
      labelNames: ["informer"],
      registers,
    }),
    isLeader: new Gauge({
      name: "streaming_orders_leader",
      help: "1 while this replica holds the leader Lease",
      registers,
    }),
  };
}
