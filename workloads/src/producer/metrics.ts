import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { LATENCY_BUCKETS } from "../observability/registry.js";

export type RejectReason = "invalid" | "too_large" | "unsupported_media_type" | "kafka_unavailable";

export interface ProducerMetrics {
  ordersAccepted: Counter;
  requestsRejected: Counter<"reason">;
  produceDuration: Histogram<"result">;
  produceBatchRecords: Histogram;
  kafkaConnected: Gauge;
}

export function createProducerMetrics(registry: Registry): ProducerMetrics {
  const registers = [registry];
  return {
    ordersAccepted: new Counter({
      name: "orders_accepted_total",
      help: "Orders acknowledged by Kafka and answered 202",
      registers,
    }),
    requestsRejected: new Counter({
      name: "order_requests_rejected_total",
      help: "Order requests answered with an error, by reason; nothing of them was produced",
      labelNames: ["reason"] as const,
      registers,
    }),
    produceDuration: new Histogram({
      name: "kafka_produce_duration_seconds",
      help: "Time for one produce request (acks=all) to be acknowledged",
      labelNames: ["result"] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    produceBatchRecords: new Histogram({
      name: "kafka_produce_batch_records",
      help: "Records per produce request, after merging concurrent requests",
      buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 2000, 5000],
      registers,
    }),
    kafkaConnected: new Gauge({
      name: "kafka_producer_connected",
      help: "1 when the producer is connected to Kafka, else 0",
      registers,
    }),
  };
}
