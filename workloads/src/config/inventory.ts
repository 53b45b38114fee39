import { DEFAULT_GROUPS, DEFAULT_TOPICS } from "../events/topics.js";
import { ConfigError, type Env, readInt, readName, readString } from "./env.js";
import {
  type ConsumerTuning,
  type KafkaConnectionConfig,
  type LogLevel,
  parseConsumerTuning,
  parseKafkaConnection,
  parseLogLevel,
  parsePort,
} from "./kafka.js";

export interface InventoryConfig {
  host: string;
  port: number;
  logLevel: LogLevel;
  kafka: KafkaConnectionConfig;
  groupId: string;
  ordersTopic: string;
  inventoryTopic: string;
  deadLetterTopic: string;
  /**
   * Unique per replica: `inventory-${HOSTNAME}` (the pod name) unless set. A process restarted
   * under the same id fences its predecessor's open transaction; a new pod gets a new id, so a
   * replica cut off from the group could still commit a batch its successor redoes. Its results
   * carry the same deterministic event_id, so readers that dedupe by event_id count them once.
   */
  transactionalId: string;
  transactionTimeoutMs: number;
  /** Order ids remembered per process to drop duplicated events. */
  dedupeCapacity: number;
  consumer: ConsumerTuning;
}

export const INVENTORY_DEFAULT_PORT = 8202;

export function parseInventoryConfig(env: Env): InventoryConfig {
  const hostname = readString(env, "HOSTNAME");
  const transactionalId =
    readString(env, "INVENTORY_TRANSACTIONAL_ID") ??
    (hostname ? `inventory-${hostname}` : undefined);
  if (transactionalId === undefined) {
    throw new ConfigError(
      "INVENTORY_TRANSACTIONAL_ID",
      "is required when HOSTNAME is not set (it must be stable per replica)",
    );
  }
  return {
    host: readString(env, "HOST") ?? "0.0.0.0",
    port: parsePort(env, INVENTORY_DEFAULT_PORT),
    logLevel: parseLogLevel(env),
    kafka: parseKafkaConnection(env, "streaming-orders-inventory"),
    groupId: readName(env, "KAFKA_GROUP_ID", DEFAULT_GROUPS.inventory),
    ordersTopic: readName(env, "ORDER_EVENTS_TOPIC", DEFAULT_TOPICS.orders),
    inventoryTopic: readName(env, "INVENTORY_EVENTS_TOPIC", DEFAULT_TOPICS.inventory),
    deadLetterTopic: readName(env, "DEAD_LETTER_TOPIC", DEFAULT_TOPICS.deadLetter),
    transactionalId,
    transactionTimeoutMs: readInt(env, "INVENTORY_TRANSACTION_TIMEOUT_MS", 30_000, {
      min: 1000,
      max: 900_000,
    }),
    dedupeCapacity: readInt(env, "INVENTORY_DEDUPE_CAPACITY", 100_000, { min: 0, max: 10_000_000 }),
    consumer: parseConsumerTuning(env),
  };
}
