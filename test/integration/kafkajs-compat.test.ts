import { type Admin, ConfigResourceTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { testKafka, uniqueName } from "../support/kafka.js";

// Every kafkajs call the operator and the workloads rely on, against the pinned broker version.
// Kafka 4 removed old protocol versions, so each of these is a real compatibility check.
const kafka = testKafka("compat");
const topic = uniqueName("compat");
const outTopic = uniqueName("compat-out");
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic, outTopic] }).catch(() => undefined);
  await admin.disconnect();
});

async function produce(target: string, count: number, keyPrefix: string) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic: target,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({
      key: `${keyPrefix}-${i}`,
      value: `${i}`,
    })),
  });
  await producer.disconnect();
}

describe("kafkajs against the pinned Kafka broker", () => {
  it("creates topics with config, grows partitions, and reads and alters config", async () => {
    const created = await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ name: "retention.ms", value: "604800000" }],
        },
        { topic: outTopic, numPartitions: 1, replicationFactor: 1 },
      ],
      waitForLeaders: true,
    });
    expect(created).toBe(true);

    await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(4);

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: "retention.ms", value: "86400000" }],
        },
      ],
    });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["retention.ms"] }],
    });
    const entry = described.resources[0]?.configEntries.find(
      (e) => e.configName === "retention.ms",
    );
    expect(entry?.configValue).toBe("86400000");
  });

  it("produces with acks=all through the idempotent producer", async () => {
    await produce(topic, 100, "k");
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)).toBe(100);
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - 60_000);
    expect(byTime.every((p) => Number(p.offset) === 0)).toBe(true);
  });

  it("commits manually in a group, describes it, then fetches, sets and resets its offsets", async () => {
    const groupId = uniqueName("compat-group");
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let consumed = 0;
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        consumed += batch.messages.length;
        const next = (Number(batch.lastOffset()) + 1).toString();
        await consumer.commitOffsets([{ topic, partition: batch.partition, offset: next }]);
      },
    });
    await eventually("100 messages consumed", async () => (consumed >= 100 ? true : undefined));
    const stable = await admin.describeGroups([groupId]);
    expect(stable.groups[0]?.state).toBe("Stable");
    expect(stable.groups[0]?.members).toHaveLength(1);
    await consumer.disconnect();

    const empty = await admin.describeGroups([groupId]);
    expect(empty.groups[0]?.state).toBe("Empty");
    const committed = async () =>
      (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions
        .map((p) => Number(p.offset))
        .reduce((a, b) => a + Math.max(b, 0), 0);
    expect(await committed()).toBe(100);

    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "0" }] });
    const afterSet = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(afterSet[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe("0");

    await admin.resetOffsets({ groupId, topic, earliest: true });
    expect(await committed()).toBe(0);
    await admin.deleteGroups([groupId]);
  });

  it("runs consume-transform-produce in a transaction with the offsets sent inside it", async () => {
    const groupId = uniqueName("compat-tx");
    const producer = kafka.producer({
      transactionalId: uniqueName("compat-tx"),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.send({ topic: outTopic, messages: [{ key: "a", value: "reserved" }] });
    await transaction.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic, partitions: [{ partition: 0, offset: "5" }] }],
    });
    await transaction.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic: outTopic, messages: [{ key: "b", value: "aborted" }] });
    await aborted.abort();
    await producer.disconnect();

    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets?.partitions.find((p) => p.partition === 0)?.offset).toBe("5");

    // A read_committed consumer sees the committed write and never the aborted one.
    const values: string[] = [];
    const reader = kafka.consumer({ groupId: uniqueName("compat-reader"), readUncommitted: false });
    await reader.connect();
    await reader.subscribe({ topics: [outTopic], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => void values.push(String(message.value)),
    });
    await eventually("the committed write", async () => (values.length >= 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    await reader.disconnect();
    expect(values).toEqual(["reserved"]);
  });
});
