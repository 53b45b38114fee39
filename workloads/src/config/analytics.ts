import { DEFAULT_GROUPS, DEFAULT_TOPICS } from "../events/topics.js";
import { type Env, readInt, readName, readString } from "./env.js";
import {
  type ConsumerTuning,
  type KafkaConnectionConfig,
  type LogLevel,
  parseConsumerTuning,
  parseKafkaConnection,
  parseLogLevel,
  parsePort,
} from "./kafka.js";

export interface AnalyticsConfig {
  host: string;
  port: number;
  logLevel: LogLevel;
  kafka: KafkaConnectionConfig;
  groupId: string;
  ordersTopic: string;
  inventoryTopic: string;
  /** Where the figures are written as JSON; every `outputIntervalMs` and at shutdown. */
  outputPath: string;
  outputIntervalMs: number;
  /** Event ids remembered to drop duplicates. */
  dedupeCapacity: number;
  partitionsConsumedConcurrently: number;
  consumer: ConsumerTuning;
}

export const ANALYTICS_DEFAULT_PORT = 8203;

export function parseAnalyticsConfig(env: Env): AnalyticsConfig {
  return {
    host: readString(env, "HOST") ?? "0.0.0.0",
    port: parsePort(env, ANALYTICS_DEFAULT_PORT),
    logLevel: parseLogLevel(env),
    kafka: parseKafkaConnection(env, "streaming-orders-analytics"),
    groupId: readName(env, "KAFKA_GROUP_ID", DEFAULT_GROUPS.analytics),
    ordersTopic: readName(env, "ORDER_EVENTS_TOPIC", DEFAULT_TOPICS.orders),
    inventoryTopic: readName(env, "INVENTORY_EVENTS_TOPIC", DEFAULT_TOPICS.inventory),
    outputPath: readString(env, "ANALYTICS_OUTPUT_PATH") ?? "/tmp/analytics.json",
    outputIntervalMs: readInt(env, "ANALYTICS_OUTPUT_INTERVAL_MS", 10_000, {
      min: 100,
      max: 3_600_000,
    }),
    dedupeCapacity: readInt(env, "ANALYTICS_DEDUPE_CAPACITY", 1_000_000, {
      min: 0,
      max: 100_000_000,
    }),
    partitionsConsumedConcurrently: readInt(env, "KAFKA_CONSUMER_PARTITIONS_CONCURRENTLY", 1, {
      min: 1,
      max: 64,
    }),
    consumer: parseConsumerTuning(env),
  };
}
