import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperatorHandle } from "../../../operator/src/operator.js";
import { eventually } from "../../support/eventually.js";
import { uniqueName } from "../../support/kafka.js";
import {
  apps,
  condition,
  core,
  createNamespace,
  createPipeline,
  custom,
  deleteNamespace,
  deletePipeline,
  deleteTopics,
  examplePipeline,
  getPipeline,
  installCrd,
  kafkaTopic,
  startTestOperator,
  testAdmin,
  waitForPipeline,
} from "./harness.js";

let namespace: string;
let operator: OperatorHandle;
let admin: Admin;
const suffix = uniqueName("del").slice(4);
const orders = `order-events-${suffix}`;
const inventory = `inventory-events-${suffix}`;

beforeAll(async () => {
  await installCrd();
  namespace = await createNamespace("op-delete");
  admin = await testAdmin();
  operator = await startTestOperator({ namespace });
  await operator.whenLeading();
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  await deleteTopics(admin, [orders, inventory, `${orders}.dlq`]);
  await admin?.disconnect();
});

const gone = async (name: string) => {
  try {
    await getPipeline(namespace, name);
    return undefined;
  } catch {
    return true;
  }
};

describe("topicDeletionPolicy: Delete", () => {
  it("holds the pipeline with a finalizer, deletes its topics, then lets it and its objects go", async () => {
    const p = examplePipeline(namespace, suffix);
    p.spec.topicDeletionPolicy = "Delete";
    await createPipeline(p);
    const created = await waitForPipeline(
      namespace,
      "orders",
      "the finalizer and topics",
      (p) =>
        (p.metadata.finalizers ?? []).includes("streaming-orders.io/delete-topics") &&
        condition(p, "TopicsReady")?.status === "True",
    );
    expect(created.metadata.finalizers).toEqual(["streaming-orders.io/delete-topics"]);
    expect(await kafkaTopic(admin, orders)).toBeDefined();

    await deletePipeline(namespace, "orders");
    await eventually("the pipeline to be gone", () => gone("orders"));
    expect(await kafkaTopic(admin, orders)).toBeUndefined();
    expect(await kafkaTopic(admin, inventory)).toBeUndefined();
    expect(await kafkaTopic(admin, `${orders}.dlq`)).toBeUndefined();
    const events = await core.listNamespacedEvent({
      namespace,
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
            namespace,
            labelSelector: "app.kubernetes.io/instance=orders",
          })
        ).items.length === 0
          ? true
          : undefined,
      90_000,
    );
  });

  it("keeps a topic another pipeline on the same Kafka still declares", async () => {
    const first = examplePipeline(namespace, suffix);
    first.metadata.name = "first";
    first.spec.topicDeletionPolicy = "Delete";
    const second = examplePipeline(namespace, suffix);
    second.metadata.name = "second";
    second.spec.topics = second.spec.topics.filter((t) => t.name === orders);
    second.spec.consumers = [];
    await createPipeline(first);
    await createPipeline(second);
    await waitForPipeline(
      namespace,
      "first",
      "topics and finalizer",
      (p) =>
        condition(p, "TopicsReady")?.status === "True" &&
        (p.metadata.finalizers ?? []).length === 1,
    );
    await deletePipeline(namespace, "first");
    await eventually("the pipeline to be gone", () => gone("first"));
    expect(await kafkaTopic(admin, orders)).toBeDefined();
    expect(await kafkaTopic(admin, inventory)).toBeUndefined();
    const events = await core.listNamespacedEvent({
      namespace,
      fieldSelector: "involvedObject.name=first",
    });
    expect(events.items.map((e) => e.message)).toContain(
      `deleted topics ${inventory}, ${orders}.dlq; kept ${orders} (still declared by ${namespace}/second)`,
    );
  });

  it("drops the finalizer when the policy goes back to Retain", async () => {
    const p = await getPipeline(namespace, "second");
    expect(p.metadata.finalizers ?? []).toEqual([]);
    await custom.patchNamespacedCustomObject(
      {
        group: "streaming-orders.io",
        version: "v1alpha1",
        namespace,
        plural: "streamingpipelines",
        name: "second",
        body: [{ op: "replace", path: "/spec/topicDeletionPolicy", value: "Delete" }],
      },
      (await import("@kubernetes/client-node")).setHeaderOptions(
        "Content-Type",
        "application/json-patch+json",
      ),
    );
    await waitForPipeline(
      namespace,
      "second",
      "the finalizer",
      (p) => (p.metadata.finalizers ?? []).length === 1,
    );
    await custom.patchNamespacedCustomObject(
      {
        group: "streaming-orders.io",
        version: "v1alpha1",
        namespace,
        plural: "streamingpipelines",
        name: "second",
        body: [{ op: "replace", path: "/spec/topicDeletionPolicy", value: "Retain" }],
      },
      (await import("@kubernetes/client-node")).setHeaderOptions(
        "Content-Type",
        "application/json-patch+json",
      ),
    );
    await waitForPipeline(
      namespace,
      "second",
      "no finalizer",
      (p) => (p.metadata.finalizers ?? []).length === 0,
    );
  });
});
