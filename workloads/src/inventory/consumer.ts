import {
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  Partitioners,
  type Producer,
  type TopicMessages,
} from "kafkajs";
import type { Registry } from "prom-client";
import type { InventoryConfig } from "../config/inventory.js";
import { BoundedSet } from "../dedupe/bounded-set.js";
import { trackConsumerHealth } from "../kafka/consumer-health.js";
import { describeKafkaError, isFatalProducerError } from "../kafka/errors.js";
import { groupConsumer } from "../kafka/group-consumer.js";
import type { Logger } from "../observability/logger.js";
import type { Readiness } from "../observability/readiness.js";
import type { InventoryMetrics } from "./metrics.js";
import { planBatch } from "./plan-batch.js";

export interface InventoryProcessorOptions {
  kafka: Kafka;
  config: InventoryConfig;
  logger: Logger;
  metrics: InventoryMetrics;
  readiness: Readiness;
  registry: Registry;
  /** The processor can never make progress again (fenced, or kafkajs gave up): stop the process. */
  onFatal: (err: Error) => void;
}

/**
 * Consume-transform-produce with Kafka transactions: each consumed batch becomes one transaction
 * holding its results, its dead letters and the group's next offset. Either all of that becomes
 * visible to read_committed readers or none of it does, so a crash or redelivery never yields a
 * second result for an order, and an offset is never committed before its result.
 */
export class InventoryProcessor {
  private readonly consumer: Consumer;
  private producer: Producer;
  private producerConnected = false;
  private readonly seen: BoundedSet;

  constructor(private readonly options: InventoryProcessorOptions) {
    const { kafka, config } = options;
    this.seen = new BoundedSet(config.dedupeCapacity);
    this.producer = this.createProducer();
    this.consumer = groupConsumer(kafka, config.groupId, config.consumer);
    trackConsumerHealth(this.consumer, options);
  }

  async start(): Promise<void> {
    await this.connectProducer();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [this.options.config.ordersTopic],
      fromBeginning: true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // One transactional producer runs one transaction at a time.
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  /** Finishes the batch in hand, leaves the group (so it rebalances at once), disconnects. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect().catch(() => undefined);
  }

  private async processBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale()) return;
    const { config, metrics, logger } = this.options;
    const done = metrics.batchDuration.startTimer();
    const plan = planBatch(
      batch.messages,
      { topic: batch.topic, partition: batch.partition, groupId: config.groupId },
      this.seen,
    );
    const topicMessages: TopicMessages[] = [];
    if (plan.results.length > 0)
      topicMessages.push({ topic: config.inventoryTopic, messages: plan.results });
    if (plan.deadLetters.length > 0) {
      topicMessages.push({ topic: config.deadLetterTopic, messages: plan.deadLetters });
    }
    const nextOffset = (BigInt(batch.lastOffset()) + 1n).toString();

    if (!this.producerConnected) await this.connectProducer();
    const transaction = await this.producer.transaction();
    try {
      if (topicMessages.length > 0) await transaction.sendBatch({ topicMessages, acks: -1 });
      await transaction.sendOffsets({
        consumerGroupId: config.groupId,
        topics: [
          { topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset }] },
        ],
      });
      await transaction.commit();
    } catch (err) {
      metrics.transactions.inc({ result: "aborted" });
      logger.warn(
        {
          err: describeKafkaError(err),
          topic: batch.topic,
          partition: batch.partition,
          offset: batch.firstOffset(),
        },
        "batch transaction failed; aborting, the batch will be redelivered",
      );
      await this.abort(transaction);
      if (isFatalProducerError(err)) this.options.onFatal(err as Error);
      throw err;
    }

    for (const orderId of plan.decidedOrderIds) this.seen.add(orderId);
    resolveOffset(batch.lastOffset());
    metrics.transactions.inc({ result: "committed" });
    metrics.processed.inc({ outcome: "reserved" }, plan.reserved);
    metrics.processed.inc({ outcome: "failed" }, plan.failed);
    metrics.duplicates.inc(plan.duplicates);
    metrics.deadLettered.inc(plan.deadLetters.length);
    metrics.batchMessages.observe(batch.messages.length);
    done();
    if (plan.deadLetters.length > 0) {
      logger.warn(
        {
          count: plan.deadLetters.length,
          topic: config.deadLetterTopic,
          partition: batch.partition,
        },
        "dead-lettered unparseable order events",
      );
    }
    await heartbeat();
  }

  private async abort(transaction: Awaited<ReturnType<Producer["transaction"]>>): Promise<void> {
    try {
      if (transaction.isActive()) await transaction.abort();
    } catch (err) {
      // The producer's transaction state is unknown now: start a fresh producer, whose
      // initialisation aborts whatever this one left open.
      this.options.logger.warn(
        { err: describeKafkaError(err) },
        "abort failed; recreating the producer",
      );
      const old = this.producer;
      this.producer = this.createProducer();
      this.producerConnected = false;
      await old.disconnect().catch(() => undefined);
    }
  }

  private createProducer(): Producer {
    const { kafka, config } = this.options;
    return kafka.producer({
      transactionalId: config.transactionalId,
      transactionTimeout: config.transactionTimeoutMs,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded: a failed send aborts the transaction and the batch is redelivered.
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
  }

  private async connectProducer(): Promise<void> {
    // Initialising with the transactional id fences any earlier producer with the same id and
    // aborts its open transaction (e.g. this replica before a kill -9).
    await this.producer.connect();
    this.producerConnected = true;
  }
}
