import { describe, expect, it } from "vitest";
import { eventually } from "../../support/eventually.js";
import { uniqueName } from "../../support/kafka.js";
import {
  apps,
  condition,
  core,
  createPipeline,
  deletePipeline,
  examplePipeline,
  getPipeline,
  jsonPatchPipeline,
  kafkaTopic,
  operatorTestBed,
  waitForPipeline,
} from "./harness.js";

const suffix = uniqueName("del").slice(4);
const orders = `order-events-${suffix}`;
const inventory = `inventory-events-${suffix}`;

const gone = async (name: string) => {
  try {
    await getPipeline(bed.namespace, name);
    return undefined;
  } catch {
    return true;
  }
};

const bed = operatorTestBed("op-delete", () => [orders, inventory, `${orders}.dlq`]);

describe("topicDeletionPolicy: Delete", () => {
  it("holds the pipeline with a finalizer, deletes its topics, then lets it and its objects go", async () => {
    const p = examplePipeline(bed.namespace, suffix);
    p.spec.topicDeletionPolicy = "Delete";
    await createPipeline(p);
    const created = await waitForPipeline(
      bed.namespace,
      "orders",
      "the finalizer and topics",
      (p) =>
        (p.metadata.finalizers ?? []).includes("streaming-orders.io/delete-topics") &&
        condition(p, "TopicsReady")?.status === "True",
    );
    expect(created.metadata.finalizers).toEqual(["streaming-orders.io/delete-topics"]);
    expect(await kafkaTopic(bed.admin, orders)).toBeDefined();

    await deletePipeline(bed.namespace, "orders");
    await eventually("the pipeline to be gone", () => gone("orders"));
    expect(await kafkaTopic(bed.admin, orders)).toBeUndefined();
    expect(await kafkaTopic(bed.admin, inventory)).toBeUndefined();
    expect(await kafkaTopic(bed.admin, `${orders}.dlq`)).toBeUndefined();
    const events = await core.listNamespacedEvent({
      namespace: bed.namespace,
      fieldSelector: "involvedObject.name=orders",
    });
    expect(events.items.map((e) => e.message)).toContain(
      `deleted topics ${orders}, ${inventory}, ${orders}.dlq`,
    );
    await eventually(
      "Deployments garbage-collected",
      async () =>
        (
          await apps.listNamespacedDeployment({
            namespace: bed.namespace,
            labelSelector: "app.kubernetes.io/instance=orders",
          })
        ).items.length === 0
          ? true
          : undefined,
      90_000,
    );
  });

  it("keeps a topic another pipeline on the same Kafka still declares", async () => {
    const first = examplePipeline(bed.namespace, suffix);
    first.metadata.name = "first";
    first.spec.topicDeletionPolicy = "Delete";
    const second = examplePipeline(bed.namespace, suffix);
    second.metadata.name = "second";
    second.spec.topics = second.spec.topics.filter((t) => t.name === orders);
    second.spec.consumers = [];
    await createPipeline(first);
    await createPipeline(second);
    await waitForPipeline(
      bed.namespace,
      "first",
      "topics and finalizer",
      (p) =>
        condition(p, "TopicsReady")?.status === "True" &&
        (p.metadata.finalizers ?? []).length === 1,
    );
    await deletePipeline(bed.namespace, "first");
    await eventually("the pipeline to be gone", () => gone("first"));
    expect(await kafkaTopic(bed.admin, orders)).toBeDefined();
    expect(await kafkaTopic(bed.admin, inventory)).toBeUndefined();
    const events = await core.listNamespacedEvent({
      namespace: bed.namespace,
      fieldSelector: "involvedObject.name=first",
    });
    expect(events.items.map((e) => e.message)).toContain(
      `deleted topics ${inventory}, ${orders}.dlq; kept ${orders} (still declared by ${bed.namespace}/second)`,
    );
  });

  it("drops the finalizer when the policy goes back to Retain", async () => {
    const p = await getPipeline(bed.namespace, "second");
    expect(p.metadata.finalizers ?? []).toEqual([]);
    await jsonPatchPipeline(bed.namespace, "second", [
      { op: "replace", path: "/spec/topicDeletionPolicy", value: "Delete" },
    ]);
    await waitForPipeline(
      bed.namespace,
      "second",
      "the finalizer",
      (p) => (p.metadata.finalizers ?? []).length === 1,
    );
    await jsonPatchPipeline(bed.namespace, "second", [
      { op: "replace", path: "/spec/topicDeletionPolicy", value: "Retain" },
    ]);
    await waitForPipeline(
      bed.namespace,
      "second",
      "no finalizer",
      (p) => (p.metadata.finalizers ?? []).length === 0,
    );
  });
});
