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
  refusal,
  waitForPipeline,
} from "./harness.js";

const WEEK = "604800000";
const suffix = uniqueName("life").slice(5);
const pipeline = () => examplePipeline(bed.namespace, suffix);
const orders = `order-events-${suffix}`;
const inventory = `inventory-events-${suffix}`;

const bed = operatorTestBed("op-life", () => [
  orders,
  inventory,
  `${orders}.dlq`,
  `order-events-${suffix}-p`,
]);

describe("the operator with the example pipeline", () => {
  it("creates the topics with the declared partitions and config", async () => {
    await createPipeline(pipeline());
    for (const topic of [orders, inventory]) {
      const got = await eventually(`topic ${topic} in Kafka`, () => kafkaTopic(bed.admin, topic));
      expect(got).toEqual({ partitions: 3, config: { "retention.ms": WEEK } });
    }
  });

  it("runs the producer and each consumer as a Deployment owned by the pipeline, and the producer's Service", async () => {
    const p = await getPipeline(bed.namespace, "orders");
    const owner = {
      apiVersion: "streaming-orders.io/v1alpha1",
      kind: "StreamingPipeline",
      name: "orders",
      uid: p.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    for (const name of ["orders-producer", "orders-inventory", "orders-analytics"]) {
      const d = await eventually(`Deployment ${name}`, () =>
        apps.readNamespacedDeployment({ namespace: bed.namespace, name }).catch(() => undefined),
      );
      expect(d.metadata?.ownerReferences).toEqual([owner]);
      const pod = d.spec?.template.spec;
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.containers[0]?.image).toBe("streaming-orders/workloads:test");
      const env = Object.fromEntries((pod?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
      expect(env.KAFKA_BOOTSTRAP_SERVERS).toBe(p.spec.kafka.bootstrapServers);
      expect(env.ORDER_EVENTS_TOPIC).toBe(orders);
      expect(env.INVENTORY_EVENTS_TOPIC).toBe(inventory);
    }
    const inventoryDeployment = await apps.readNamespacedDeployment({
      namespace: bed.namespace,
      name: "orders-inventory",
    });
    // Autoscaling is on: a new consumer starts at minReplicas.
    expect(inventoryDeployment.spec?.replicas).toBe(1);
    const service = await core.readNamespacedService({
      namespace: bed.namespace,
      name: "orders-producer",
    });
    expect(service.metadata?.ownerReferences).toEqual([owner]);
    expect(service.spec?.ports?.[0]?.port).toBe(8201);
  });

  it("reports Kafka and topics ready, and workloads not ready while no pod can run (no node)", async () => {
    const p = await waitForPipeline(
      bed.namespace,
      "orders",
      "TopicsReady=True and WorkloadsReady reported",
      (p) =>
        condition(p, "TopicsReady")?.status === "True" &&
        condition(p, "WorkloadsReady")?.reason === "ReplicasNotReady",
    );
    expect(p.status?.observedGeneration).toBe(p.metadata.generation);
    expect(condition(p, "KafkaReachable")).toMatchObject({
      status: "True",
      reason: "Connected",
      observedGeneration: p.metadata.generation,
    });
    expect(condition(p, "WorkloadsReady")).toMatchObject({
      status: "False",
      message: "waiting for ready replicas: producer 0/1, inventory 0/1, analytics 0/1",
    });
    expect(condition(p, "Ready")).toMatchObject({ status: "False", reason: "WorkloadsNotReady" });
    expect(p.status?.topics).toEqual([
      { name: orders, partitions: 3, replicationFactor: 1 },
      { name: inventory, partitions: 3, replicationFactor: 1 },
      { name: `${orders}.dlq`, partitions: 1, replicationFactor: 1 },
    ]);
    expect(
      p.status?.consumers?.map((c) => [c.name, c.groupId, c.desiredReplicas, c.readyReplicas]),
    ).toEqual([
      ["inventory", "inventory-group", 1, 0],
      ["analytics", "analytics-group", 1, 0],
    ]);
    expect(p.status?.summary).toEqual({
      topics: `${orders}:3 ${inventory}:3 ${orders}.dlq:1`,
      replicas: "producer 0/1, inventory 0/1, analytics 0/1",
    });
    for (const c of p.status?.conditions ?? []) {
      expect(c.reason).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(Date.parse(c.lastTransitionTime)).not.toBeNaN();
    }
  });

  it("grows partitions 3 -> 6 in Kafka when the spec asks", async () => {
    const patched = await jsonPatchPipeline(bed.namespace, "orders", [
      { op: "replace", path: "/spec/topics/0/partitions", value: 6 },
    ]);
    await eventually("6 partitions in Kafka", async () =>
      (await kafkaTopic(bed.admin, orders))?.partitions === 6 ? true : undefined,
    );
    const p = await waitForPipeline(
      bed.namespace,
      "orders",
      "status with 6 partitions",
      (p) =>
        p.status?.observedGeneration === patched.metadata.generation &&
        p.status?.topics?.[0]?.partitions === 6,
    );
    expect(condition(p, "TopicsReady")).toMatchObject({
      status: "True",
      observedGeneration: patched.metadata.generation,
    });
  });

  it("is refused by the API server when partitions go down, with the CEL rule's message", async () => {
    const { code, message } = await refusal(
      jsonPatchPipeline(bed.namespace, "orders", [
        { op: "replace", path: "/spec/topics/0/partitions", value: 3 },
      ]),
    );
    expect(code).toBe(422);
    expect(message).toContain(
      'spec.topics[0].partitions: Invalid value: "integer": partitions cannot be decreased (Kafka cannot remove partitions)',
    );
    expect((await kafkaTopic(bed.admin, orders))?.partitions).toBe(6);
  });

  it("puts back topic config changed behind its back", async () => {
    const { ConfigResourceTypes } = await import("kafkajs");
    await bed.admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: inventory,
          configEntries: [{ name: "retention.ms", value: "1000" }],
        },
      ],
    });
    // No spec change: the periodic resync finds the drift.
    await eventually(
      "retention.ms restored",
      async () =>
        (await kafkaTopic(bed.admin, inventory))?.config["retention.ms"] === WEEK
          ? true
          : undefined,
      30_000,
    );
  });

  it("schedules the workloads' pods by spec.pod, reports what the API server refuses, and takes settings back when removed", async () => {
    const podSpecs = async () =>
      Promise.all(
        ["orders-producer", "orders-inventory", "orders-analytics"].map(
          async (name) =>
            (await apps.readNamespacedDeployment({ namespace: bed.namespace, name })).spec?.template
              .spec,
        ),
      );
    const tolerations = [
      { key: "dedicated", operator: "Equal", value: "orders", effect: "NoSchedule" },
    ];
    await jsonPatchPipeline(bed.namespace, "orders", [
      {
        op: "add",
        path: "/spec/pod",
        value: { nodeSelector: { pool: "streaming" }, tolerations, priorityClassName: "orders" },
      },
    ]);
    await eventually("every Deployment scheduled by spec.pod", async () => {
      const specs = await podSpecs();
      return specs.every(
        (s) => s?.nodeSelector?.pool === "streaming" && s.priorityClassName === "orders",
      )
        ? true
        : undefined;
    });
    for (const s of await podSpecs()) expect(s?.tolerations).toEqual(tolerations);

    // The CRD passes affinity through; the API server checks it when the operator applies it.
    await jsonPatchPipeline(bed.namespace, "orders", [
      {
        op: "add",
        path: "/spec/pod/affinity",
        value: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "pool", operator: "Sometimes", values: ["a"] }] },
              ],
            },
          },
        },
      },
    ]);
    const refused = await waitForPipeline(
      bed.namespace,
      "orders",
      "WorkloadsReady=False with the API server's reason",
      (p) => condition(p, "WorkloadsReady")?.reason === "ApplyFailed",
    );
    expect(condition(refused, "WorkloadsReady")?.message).toContain('"Sometimes"');

    await jsonPatchPipeline(bed.namespace, "orders", [{ op: "remove", path: "/spec/pod" }]);
    await eventually("scheduling settings gone from every Deployment", async () => {
      const specs = await podSpecs();
      return specs.every((s) => !s?.nodeSelector && !s?.tolerations && !s?.affinity)
        ? true
        : undefined;
    });
    const back = await waitForPipeline(
      bed.namespace,
      "orders",
      "WorkloadsReady no longer ApplyFailed",
      (p) => condition(p, "WorkloadsReady")?.reason !== "ApplyFailed",
    );
    expect(condition(back, "WorkloadsReady")?.status).toBe("False");
  });

  it("is Ready when every workload is ready: a paused pipeline (0 replicas) needs no pod", async () => {
    const paused = examplePipeline(bed.namespace, `${suffix}-p`);
    paused.metadata.name = "paused";
    paused.spec.topics = paused.spec.topics.slice(0, 1);
    paused.spec.producer.replicas = 0;
    paused.spec.consumers = [];
    await createPipeline(paused);
    const p = await waitForPipeline(
      bed.namespace,
      "paused",
      "Ready=True",
      (p) => condition(p, "Ready")?.status === "True",
    );
    expect(condition(p, "Ready")).toMatchObject({ reason: "PipelineReady", observedGeneration: 1 });
    expect(condition(p, "WorkloadsReady")).toMatchObject({
      status: "True",
      message: "ready: producer 0/0",
    });
    expect(p.status?.observedGeneration).toBe(1);
  });

  it("on delete with the default Retain policy: owned objects are garbage-collected, topics kept", async () => {
    await deletePipeline(bed.namespace, "orders");
    await eventually(
      "Deployments and Service garbage-collected",
      async () => {
        const deployments = await apps.listNamespacedDeployment({
          namespace: bed.namespace,
          labelSelector: "app.kubernetes.io/instance=orders",
        });
        const services = await core.listNamespacedService({
          namespace: bed.namespace,
          labelSelector: "app.kubernetes.io/instance=orders",
        });
        return deployments.items.length + services.items.length === 0 ? true : undefined;
      },
      90_000,
    );
    expect(await kafkaTopic(bed.admin, orders)).toMatchObject({ partitions: 6 });
    expect(await kafkaTopic(bed.admin, inventory)).toMatchObject({ partitions: 3 });
  });
});
