import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { demoOrder } from "../../hack/demo/send-orders.js";
import { repoRoot } from "../../hack/local-services.js";
import { encodeEvent } from "../../workloads/src/events/codec.js";
import { newOrderPlaced } from "../../workloads/src/events/order-placed.js";

/** Where benchmark processes write their logs. */
export const runDir = resolve(repoRoot, ".run/bench");
mkdirSync(runDir, { recursive: true });

/** A name that only this run uses. */
export const scratchName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Topics that only this run uses; `remove` deletes them. */
export async function benchTopics(brokers: string, prefixes: string[], partitions = 3) {
  const names = prefixes.map(scratchName);
  const admin = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({
    topics: names.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    waitForLeaders: true,
  });
  return {
    names,
    admin,
    remove: async () => {
      await admin.deleteTopics({ topics: names }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

export async function benchTopic(brokers: string, prefix: string, partitions = 3) {
  const topics = await benchTopics(brokers, [prefix], partitions);
  return { name: topics.names[0] ?? prefix, remove: topics.remove };
}

/** `count` OrderPlaced events as the producer writes them, keyed by order id. */
export function orderMessages(first: number, count: number, timestamp = new Date().toISOString()) {
  return Array.from({ length: count }, (_, k) => {
    const event = newOrderPlaced(demoOrder(first + k), timestamp);
    return { key: event.order_id, value: encodeEvent(event) };
  });
}
