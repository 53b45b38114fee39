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
  /** Lag per consumer group and partition. */
  consumerLag: Gauge<"namespace" | "pipeline" | "consumer" | "group" | "topic" | "partition">;
  /** The replicas the operator wants for a consumer (the autoscaler's or the spec's). */
  consumerDesiredReplicas: Gauge<ConsumerLabel>;
  /** The consumer Deployment's replicas as its controller reports them. */
  consumerCurrentReplicas: Gauge<ConsumerLabel>;
  consumerReadyReplicas: Gauge<ConsumerLabel>;
  consumerProductionRate: Gauge<ConsumerLabel>;
  consumerConsumptionRate: Gauge<ConsumerLabel>;
  /** 0 OK, 1 WARN, 2 STALL, 3 STOP. */
  consumerHealth: Gauge<ConsumerLabel>;
  scalingChanges: Counter<ConsumerLabel | "reason">;
  replays: Counter<ConsumerLabel | "result">;
}

export type ConsumerLabel = "namespace" | "pipeline" | "consumer";

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
    consumerLag: new Gauge({
      name: "streaming_orders_consumer_group_lag",
      help: "Events a consumer group still has to read on one partition",
      labelNames: [...consumerLabels, "group", "topic", "partition"],
      registers,
    }),
    consumerDesiredReplicas: new Gauge({
      name: "streaming_orders_consumer_desired_replicas",
      help: "Replicas the operator wants for a consumer (the autoscaler's decision, or spec replicas)",
      labelNames: consumerLabels,
      registers,
    }),
    consumerCurrentReplicas: new Gauge({
      name: "streaming_orders_consumer_current_replicas",
      help: "Pods the consumer's Deployment has, as its controller reports",
      labelNames: consumerLabels,
      registers,
    }),
    consumerReadyReplicas: new Gauge({
      name: "streaming_orders_consumer_ready_replicas",
      help: "Ready pods of the consumer's Deployment",
      labelNames: consumerLabels,
      registers,
    }),
    consumerProductionRate: new Gauge({
      name: "streaming_orders_consumer_production_rate",
      help: "Events/s written to an autoscaled consumer's topics over the rate window",
      labelNames: consumerLabels,
      registers,
    }),
    consumerConsumptionRate: new Gauge({
      name: "streaming_orders_consumer_consumption_rate",
      help: "Events/s an autoscaled consumer's group committed over the rate window",
      labelNames: consumerLabels,
      registers,
    }),
    consumerHealth: new Gauge({
      name: "streaming_orders_consumer_group_health",
      help: "Burrow-style health of an autoscaled consumer's group: 0 OK, 1 WARN, 2 STALL, 3 STOP",
      labelNames: consumerLabels,
      registers,
    }),
    scalingChanges: new Counter({
      name: "streaming_orders_scaling_changes_total",
      help: "Changes of a consumer's replicas made by the autoscaler, by decision reason",
      labelNames: [...consumerLabels, "reason"],
      registers,
    }),
    replays: new Counter({
      name: "streaming_orders_replays_total",
      help: "Replays finished, by result (completed, failed, refused)",
      labelNames: [...consumerLabels, "result"],
      registers,
    }),
  };
}

const consumerLabels: ConsumerLabel[] = ["namespace", "pipeline", "consumer"];

type SeriesGauge = Gauge<string>;

/**
 * The per-consumer series of one pipeline, replaced as a whole at each reconcile: a partition,
 * consumer or pipeline that is gone stops being reported instead of freezing at its last value.
 */
export class PipelineSeries {
  private readonly byPipeline = new Map<string, Array<{ gauge: SeriesGauge; labels: Labels }>>();

  /** Sets these values for the pipeline and removes the series it had that are not among them. */
  replace(
    pipelineKey: string,
    values: ReadonlyArray<{ gauge: SeriesGauge; labels: Labels; value: number }>,
  ): void {
    const keep = new Set(values.map((v) => seriesId(v.gauge, v.labels)));
    for (const old of this.byPipeline.get(pipelineKey) ?? []) {
      if (!keep.has(seriesId(old.gauge, old.labels))) old.gauge.remove(old.labels);
    }
    for (const v of values) v.gauge.set(v.labels, v.value);
    this.byPipeline.set(
      pipelineKey,
      values.map(({ gauge, labels }) => ({ gauge, labels })),
    );
  }

  /** Removes every series of a pipeline that is gone. */
  forget(pipelineKey: string): void {
    this.replace(pipelineKey, []);
    this.byPipeline.delete(pipelineKey);
  }
}

type Labels = Record<string, string>;

const seriesId = (gauge: SeriesGauge, labels: Labels) =>
  `${(gauge as unknown as { name: string }).name}${JSON.stringify(Object.entries(labels).sort())}`;
