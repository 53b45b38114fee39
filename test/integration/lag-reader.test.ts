import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGroupLag } from "../../operator/src/kafka/lag-reader.js";
import { testKafka, uniqueName } from "../support/kafka.js";

const kafka = testKafka("lag-reader");
const topic = uniqueName("lag");
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  // 10, 20 and 30 events on partitions 0, 1 and 2.
  await producer.send({
    topic,
    acks: -1,
    messages: [0, 1, 2].flatMap((partition) =>
      Array.from({ length: (partition + 1) * 10 }, (_, i) => ({ partition, value: `${i}` })),
    ),
  });
  await producer.disconnect();
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});

describe("readGroupLag", () => {
  it("reads committed, log-start and log-end offsets per partition from the broker", async () => {
    const groupId = uniqueName("lag-group");
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "4" }] });
    // Retention deleting the first 5 events of partition 2 moves its log start.
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 2, offset: "5" }] });

    const lag = await readGroupLag(admin, groupId, [topic], "earliest");

    expect(
      lag.partitions.map(({ partition, logStart, logEnd, committed, lag }) => ({
        partition,
        logStart,
        logEnd,
        committed,
        lag,
      })),
    ).toEqual([
      { partition: 0, logStart: 0, logEnd: 10, committed: 4, lag: 6 },
      { partition: 1, logStart: 0, logEnd: 20, committed: null, lag: 20 },
      { partition: 2, logStart: 5, logEnd: 30, committed: null, lag: 25 },
    ]);
    expect(lag.state).toBe("Empty");
    expect(lag.members).toBe(0);

    const latest = await readGroupLag(admin, groupId, [topic], "latest");
    expect(latest.partitions.map((p) => p.lag)).toEqual([6, 0, 0]);
  });
});
