import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { inject } from "vitest";

/** A kafkajs client for the broker the global setup started. */
export function testKafka(clientId = "streaming-orders-test"): Kafka {
  return new Kafka({
    clientId,
    brokers: inject("kafkaBrokers").split(","),
    logLevel: logLevel.NOTHING,
  });
}

/** A topic or group name no other test or run uses, so tests own what they create. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
