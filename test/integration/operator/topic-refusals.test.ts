import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamingPipeline } from "../../../operator/src/api/types.js";
import type { OperatorHandle } from "../../../operator/src/operator.js";
import { uniqueName } from "../../support/kafka.js";
import {
  condition,
  core,
  createNamespace,
  createPipeline,
  deleteNamespace,
  deleteTopics,
  installCrd,
  kafkaBrokers,
  kafkaTopic,
  startTestOperator,
  testAdmin,
  waitForPipeline,
} from "./harness.js";

let namespace: string;
let operator: OperatorHandle;
let admin: Admin;
const wide = uniqueName("wide");
const replicated = uniqueName("replicated");

/** A pipeline with just topics: what Kafka cannot do is refused whatever the API server let in. */
function topicsOnly(
  name: string,
  topic: string,
  partitions: number,
  replicationFactor = 1,
): StreamingPipeline {
  return {
    apiVersion: "streaming-orders.io/v1alpha1",
    kind: "StreamingPipeline",
    metadata: { name, namespace } as StreamingPipeline["metadata"],
    spec: {
      kafka: { bootstrapServers: kafkaBrokers() },
      topics: [{ name: topic, partitions, replicationFactor }],
      producer: { replicas: 0, port: 8201, topic },
      consumers: [],
      topicDeletionPolicy: "Retain",
    },
  };
}

beforeAll(async () => {
  await installCrd();
  namespace = await createNamespace("op-refuse");
  admin = await testAdmin();
  operator = await startTestOperator({ namespace });
  await operator.whenLeading();
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await deleteTopics(admin, [wide, replicated]);
  await admin?.disconnect();
});

describe("what Kafka cannot do", () => {
  it("refuses to shrink a topic that already has more partitions, and says so in status and an Event", async () => {
    // The CEL rule guards edits; a new pipeline adopting an existing wider topic bypasses it.
    await admin.createTopics({
      topics: [{ topic: wide, numPartitions: 6, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    await createPipeline(topicsOnly("shrink", wide, 3));
    const p = await waitForPipeline(
      namespace,
      "shrink",
      "TopicsReady=False",
      (p) => condition(p, "TopicsReady")?.status === "False",
    );
    expect(condition(p, "TopicsReady")).toMatchObject({
      reason: "PartitionDecreaseRefused",
      message: `topic ${wide} has 6 partitions but the spec asks for 3: Kafka cannot remove partitions, set partitions to 6 or more`,
    });
    expect(condition(p, "Ready")).toMatchObject({ status: "False", reason: "TopicsNotReady" });
    expect(p.status?.topics).toEqual([{ name: wide, partitions: 6, replicationFactor: 1 }]);
    expect((await kafkaTopic(admin, wide))?.partitions).toBe(6);
    const events = await core.listNamespacedEvent({
      namespace,
      fieldSelector: "involvedObject.name=shrink",
    });
    expect(events.items.map((e) => [e.type, e.reason])).toContainEqual([
      "Warning",
      "PartitionDecreaseRefused",
    ]);
  });

  it("reports Kafka's refusal of a replication factor above the broker count", async () => {
    const brokers = (await admin.describeCluster()).brokers.length;
    await createPipeline(topicsOnly("replicas", replicated, 3, brokers + 1));
    const p = await waitForPipeline(
      namespace,
      "replicas",
      "TopicsReady=False",
      (p) => condition(p, "TopicsReady")?.status === "False",
    );
    expect(condition(p, "TopicsReady")).toMatchObject({
      reason: "TopicAdminFailed",
      message: `creating topic ${replicated}: replication factor ${brokers + 1} needs at least ${brokers + 1} brokers, Kafka has ${brokers}`,
    });
    expect(await kafkaTopic(admin, replicated)).toBeUndefined();
  });
});
