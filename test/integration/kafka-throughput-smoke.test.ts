import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { testKafka, uniqueName } from "../support/kafka.js";

const kafka = testKafka("smoke");
const topic = uniqueName("smoke-orders");
const groupId = uniqueName("smoke-group");
const total = 10_000;
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    waitForLeaders: true,
  });
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});

describe("the local Kafka broker", () => {
  it("delivers 10,000 messages through a consumer group exactly once each", async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let start = 0; start < total; start += 1000) {
      const messages = Array.from({ length: 1000 }, (_, i) => ({
        key: `order-${start + i}`,
        value: JSON.stringify({ n: start + i }),
      }));
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();

    const produced = await admin.fetchTopicOffsets(topic);
    expect(produced.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)).toBe(total);

    const seen = new Set<string>();
    let deliveries = 0;
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          deliveries++;
          seen.add(String(message.key));
        }
        // Manual commit: the next offset to read, once the whole batch is handled.
        const next = (Number(batch.lastOffset()) + 1).toString();
        await consumer.commitOffsets([{ topic, partition: batch.partition, offset: next }]);
      },
    });
    await eventually("all messages consumed", async () => (seen.size >= total ? true : undefined));
    await consumer.disconnect();

    expect(deliveries).toBe(total);
    expect(seen.size).toBe(total);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedTotal = committed?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committedTotal).toBe(total);
  });
});
