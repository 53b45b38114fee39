import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import type { Registry } from "prom-client";
import type { AnalyticsConfig } from "../config/analytics.js";
import { trackConsumerHealth } from "../kafka/consumer-health.js";
import { groupConsumer } from "../kafka/group-consumer.js";
import type { Logger } from "../observability/logger.js";
import type { Readiness } from "../observability/readiness.js";
import type { OrderAnalytics } from "./aggregator.js";

export interface AnalyticsConsumerOptions {
  kafka: Kafka;
  config: AnalyticsConfig;
  analytics: OrderAnalytics;
  logger: Logger;
  readiness: Readiness;
  registry: Registry;
  onFatal: (err: Error) => void;
}

/**
 * Feeds both topics into the aggregator. Reads read_committed, so results of aborted inventory
 * transactions are never counted; commits its offsets about once a second.
 */
export class AnalyticsConsumer {
  private readonly consumer: Consumer;

  constructor(private readonly options: AnalyticsConsumerOptions) {
    const { config } = options;
    this.consumer = groupConsumer(options.kafka, config.groupId, config.consumer);
    trackConsumerHealth(this.consumer, options);
  }

  async start(): Promise<void> {
    const { config } = this.options;
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [config.ordersTopic, config.inventoryTopic],
      fromBeginning: true,
    });
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      // Offsets are resolved only for batches actually counted (not those skipped at shutdown).
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private async processBatch({
    batch,
    isRunning,
    isStale,
    resolveOffset,
  }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale()) return;
    const { analytics } = this.options;
    for (const message of batch.messages) analytics.ingestMessage(message.value);
    resolveOffset(batch.lastOffset());
  }
}
