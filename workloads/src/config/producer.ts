import { DEFAULT_TOPICS } from "../events/topics.js";
import { type Env, readInt, readName, readString } from "./env.js";
import {
  type KafkaConnectionConfig,
  type LogLevel,
  parseKafkaConnection,
  parseLogLevel,
  parsePort,
} from "./kafka.js";

export interface ProducerConfig {
  host: string;
  port: number;
  logLevel: LogLevel;
  kafka: KafkaConnectionConfig;
  ordersTopic: string;
  /** Longest a request waits for Kafka's acknowledgement before it answers 503. */
  sendTimeoutMs: number;
  /** Kafka client retries of one send before it is reported as failed. */
  sendRetries: number;
  /** How often an idle producer checks that Kafka is still reachable (readiness). */
  healthCheckIntervalMs: number;
}

export const PRODUCER_DEFAULT_PORT = 8201;

export function parseProducerConfig(env: Env): ProducerConfig {
  return {
    host: readString(env, "HOST") ?? "0.0.0.0",
    port: parsePort(env, PRODUCER_DEFAULT_PORT),
    logLevel: parseLogLevel(env),
    kafka: parseKafkaConnection(env, "streaming-orders-producer"),
    ordersTopic: readName(env, "ORDER_EVENTS_TOPIC", DEFAULT_TOPICS.orders),
    sendTimeoutMs: readInt(env, "PRODUCER_SEND_TIMEOUT_MS", 5000, { min: 100, max: 120_000 }),
    sendRetries: readInt(env, "PRODUCER_SEND_RETRIES", 3, { min: 1, max: 100 }),
    healthCheckIntervalMs: readInt(env, "PRODUCER_HEALTH_CHECK_INTERVAL_MS", 10_000, {
      min: 100,
      max: 3_600_000,
    }),
  };
}
