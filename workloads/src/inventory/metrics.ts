import { Counter, Histogram, type Registry } from "prom-client";
import { LATENCY_BUCKETS } from "../observability/registry.js";

export interface InventoryMetrics {
  processed: Counter<"outcome">;
  duplicates: Counter;
  deadLettered: Counter;
  transactions: Counter<"result">;
  batchDuration: Histogram;
  batchMessages: Histogram;
}

/** Counters move only when a batch's transaction commits, so they count what consumers see. */
export function createInventoryMetrics(registry: Registry): InventoryMetrics {
  const registers = [registry];
  return {
    processed: new Counter({
      name: "inventory_processed_total",
      help: "Orders decided and published, by outcome (reserved or failed)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    duplicates: new Counter({
      name: "inventory_duplicates_total",
      help: "Order events dropped because their order already had a result",
      registers,
    }),
    deadLettered: new Counter({
      name: "inventory_dead_lettered_total",
      help: "Messages that were not valid OrderPlaced events, sent to the dead-letter topic",
      registers,
    }),
    transactions: new Counter({
      name: "inventory_transactions_total",
      help: "Kafka transactions, one per consumed batch, by result (committed or aborted)",
      labelNames: ["result"] as const,
      registers,
    }),
    batchDuration: new Histogram({
      name: "inventory_batch_duration_seconds",
      help: "Time to decide a batch and commit its transaction",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    batchMessages: new Histogram({
      name: "inventory_batch_messages",
      help: "Messages per consumed batch",
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000],
      registers,
    }),
  };
}
