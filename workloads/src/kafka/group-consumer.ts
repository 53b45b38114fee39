import type { Consumer, Kafka } from "kafkajs";
import type { ConsumerTuning } from "../config/kafka.js";

/**
 * A group member as every consumer role runs one: committed reads only (a transaction's results
 * appear once committed), no topic auto-creation, and the fetch and session settings from config.
 */
export function groupConsumer(kafka: Kafka, groupId: string, tuning: ConsumerTuning): Consumer {
  return kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    sessionTimeout: tuning.sessionTimeoutMs,
    heartbeatInterval: tuning.heartbeatIntervalMs,
    maxBytesPerPartition: tuning.maxBytesPerPartition,
    maxBytes: tuning.maxBytes,
    minBytes: tuning.minBytes,
    maxWaitTimeInMs: tuning.maxWaitTimeMs,
  });
}
