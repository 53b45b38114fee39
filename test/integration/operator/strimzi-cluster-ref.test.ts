import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperatorHandle } from "../../../operator/src/operator.js";
import { eventually } from "../../support/eventually.js";
import { uniqueName } from "../../support/kafka.js";
import {
  condition,
  createNamespace,
  createPipeline,
  custom,
  deleteNamespace,
  deleteTopics,
  examplePipeline,
  installCrd,
  jsonPatchPipeline,
  kafkaBrokers,
  kafkaTopic,
  kc,
  startTestOperator,
  testAdmin,
  waitForPipeline,
} from "./harness.js";

// Strimzi itself cannot run on this node-less cluster, but its Kafka resource can exist: a
// minimal stand-in CRD (served as v1beta2 only, so the operator's v1 -> v1beta2 fallback is
// exercised) holds a Kafka whose status names the test broker as a listener.
const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);
const STRIMZI_CRD = "kafkas.kafka.strimzi.io";
let createdCrd = false;
let namespace: string;
let operator: OperatorHandle;
const suffix = uniqueName("strimzi").slice(8);
const topics = [`order-events-${suffix}`, `inventory-events-${suffix}`];

async function installStrimziStandIn(): Promise<void> {
  try {
    await extensions.readCustomResourceDefinition({ name: STRIMZI_CRD });
    return; // a real (or earlier) one is there: use it, leave it.
  } catch {
    // not installed
  }
  // Server-side apply sends the body as is (the typed create would drop x-kubernetes-* keys).
  await extensions.patchCustomResourceDefinition(
    {
      name: STRIMZI_CRD,
      fieldManager: "streaming-orders-tests",
      body: {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: STRIMZI_CRD },
        spec: {
          group: "kafka.strimzi.io",
          scope: "Namespaced",
          names: { plural: "kafkas", singular: "kafka", kind: "Kafka" },
          versions: [
            {
              name: "v1beta2",
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: {
                openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          ],
        },
      },
    },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply),
  );
  createdCrd = true;
  await eventually("the Kafka CRD to be established", async () => {
    const crd = await extensions.readCustomResourceDefinition({ name: STRIMZI_CRD });
    return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")
      ? true
      : undefined;
  });
}

beforeAll(async () => {
  await installCrd();
  await installStrimziStandIn();
  namespace = await createNamespace("op-strimzi");
  operator = await startTestOperator({ namespace });
  await operator.whenLeading();
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  if (createdCrd)
    await extensions.deleteCustomResourceDefinition({ name: STRIMZI_CRD }).catch(() => undefined);
  const admin = await testAdmin();
  await deleteTopics(admin, topics);
  await admin.disconnect();
});

describe("spec.kafka.clusterRef to a Strimzi Kafka", () => {
  it("says KafkaClusterNotFound until the Kafka exists", async () => {
    const p = examplePipeline(namespace, suffix);
    p.spec.kafka = { clusterRef: { name: "my-cluster", listener: "plain" } };
    await createPipeline(p);
    const got = await waitForPipeline(
      namespace,
      "orders",
      "KafkaReachable=False",
      (p) => condition(p, "KafkaReachable")?.status === "False",
    );
    expect(condition(got, "KafkaReachable")).toMatchObject({ reason: "KafkaClusterNotFound" });
    expect(condition(got, "KafkaReachable")?.message).toMatch(
      new RegExp(
        `^Strimzi Kafka ${namespace}/my-cluster \\(kafka.strimzi.io\\) does not exist; retrying in `,
      ),
    );
    expect(condition(got, "WorkloadsReady")).toMatchObject({
      status: "False",
      reason: "KafkaAddressUnknown",
    });
  });

  it("reads the bootstrap address from the Kafka's status listeners and creates the topics", async () => {
    await custom.createNamespacedCustomObject({
      group: "kafka.strimzi.io",
      version: "v1beta2",
      namespace,
      plural: "kafkas",
      body: {
        apiVersion: "kafka.strimzi.io/v1beta2",
        kind: "Kafka",
        metadata: { name: "my-cluster" },
        spec: {},
      },
    });
    await custom.patchNamespacedCustomObjectStatus(
      {
        group: "kafka.strimzi.io",
        version: "v1beta2",
        namespace,
        plural: "kafkas",
        name: "my-cluster",
        body: {
          status: {
            listeners: [
              { name: "tls", bootstrapServers: "my-cluster-kafka-bootstrap:9093" },
              { name: "plain", bootstrapServers: kafkaBrokers() },
            ],
          },
        },
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    // Nothing about the pipeline changed: the retry with backoff finds the Kafka.
    const p = await waitForPipeline(
      namespace,
      "orders",
      "TopicsReady=True",
      (p) => condition(p, "TopicsReady")?.status === "True",
    );
    expect(p.status?.bootstrapServers).toBe(kafkaBrokers());
    const admin = await testAdmin();
    expect(await kafkaTopic(admin, topics[0] as string)).toMatchObject({ partitions: 3 });
    await admin.disconnect();
  });

  it("names the listeners it has when the requested one is missing", async () => {
    await jsonPatchPipeline(namespace, "orders", [
      { op: "replace", path: "/spec/kafka/clusterRef/listener", value: "external" },
    ]);
    const p = await waitForPipeline(
      namespace,
      "orders",
      "KafkaClusterNotReady",
      (p) => condition(p, "KafkaReachable")?.reason === "KafkaClusterNotReady",
    );
    expect(condition(p, "KafkaReachable")?.message).toContain(
      `Strimzi Kafka ${namespace}/my-cluster has no listener "external" (listeners: tls, plain)`,
    );
  });
});
