import { describe, expect, it } from "vitest";
import type { StreamingPipeline } from "../../../operator/src/api/types.js";
import { uniqueName } from "../../support/kafka.js";
import {
  condition,
  core,
  createPipeline,
  kafkaBrokers,
  kafkaTopic,
  operatorTestBed,
  waitForPipeline,
} from "./harness.js";

const wide = uniqueName("wide");
const replicated = uniqueName("replicated");

/** A pipeline with just topics: what Kafka cannot do is refused whatever the API server let in. */
const bed = operatorTestBed("op-refuse", () => [wide, replicated]);

function topicsOnly(
  name: string,
  topic: string,
  partitions: number,
  replicationFactor = 1,
): StreamingPipeline {
  return {
    apiVersion: "streaming-orders.io/v1alpha1",
    kind: "StreamingPipeline",
    metadata: { name, namespace: bed.namespace } as StreamingPipeline["metadata"],
    spec: {
      kafka: { bootstrapServers: kafkaBrokers() },
      topics: [{ name: topic, partitions, replicationFactor }],
      producer: { replicas: 0, port: 8201, topic },
      consumers: [],
      topicDeletionPolicy: "Retain",
    },
  };
}

describe("what Kafka cannot do", () => {
  it("refuses to shrink a topic that already has more partitions, and says so in status and an Event", async () => {
    // The CEL rule guards edits; a new pipeline adopting an existing wider topic bypasses it.
    await bed.admin.createTopics({
      topics: [{ topic: wide, numPartitions: 6, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    await createPipeline(topicsOnly("shrink", wide, 3));
    const p = await waitForPipeline(
      bed.namespace,
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
    expect((await kafkaTopic(bed.admin, wide))?.partitions).toBe(6);
    const events = await core.listNamespacedEvent({
      namespace: bed.namespace,
      fieldSelector: "involvedObject.name=shrink",
    });
    expect(events.items.map((e) => [e.type, e.reason])).toContainEqual([
      "Warning",
      "PartitionDecreaseRefused",
    ]);
  });

  it("reports Kafka's refusal of a replication factor above the broker count", async () => {
    const brokers = (await bed.admin.describeCluster()).brokers.length;
    await createPipeline(topicsOnly("replicas", replicated, 3, brokers + 1));
    const p = await waitForPipeline(
      bed.namespace,
      "replicas",
      "TopicsReady=False",
      (p) => condition(p, "TopicsReady")?.status === "False",
    );
    expect(condition(p, "TopicsReady")).toMatchObject({
      reason: "TopicAdminFailed",
      message: `creating topic ${replicated}: replication factor ${brokers + 1} needs at least ${brokers + 1} brokers, Kafka has ${brokers}`,
    });
    expect(await kafkaTopic(bed.admin, replicated)).toBeUndefined();
  });
});
