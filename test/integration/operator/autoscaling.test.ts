// The autoscaler end to end on the real broker and API server. No node runs pods here, so the test
// plays the consumer group itself with a kafkajs consumer when the group has to consume.
import * as k8s from "@kubernetes/client-node";
import type { Admin, Consumer, Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AutoscalingSpec, StreamingPipeline } from "../../../operator/src/api/types.js";
import { Autoscaler } from "../../../operator/src/autoscale/autoscaler.js";
import type { ScaleDecision } from "../../../operator/src/autoscale/policy.js";
import { totalLag } from "../../../operator/src/kafka/lag.js";
import { readGroupLag } from "../../../operator/src/kafka/lag-reader.js";
import type { OperatorHandle } from "../../../operator/src/operator.js";
import { eventually } from "../../support/eventually.js";
import { testKafka, uniqueName } from "../../support/kafka.js";
import {
  apps,
  core,
  createNamespace,
  createPipeline,
  deleteNamespace,
  deleteTopics,
  examplePipeline,
  installCrd,
  kc,
  metric,
  startTestOperator,
  testAdmin,
  waitForPipeline,
} from "./harness.js";

const PARTITIONS = 3;
const BACKLOG_PER_PARTITION = 1000;
const autoscaling: AutoscalingSpec = {
  enabled: true,
  minReplicas: 1,
  // More than the partitions: the partition count is what caps.
  maxReplicas: 5,
  lagThreshold: 100,
  catchUpSeconds: 60,
  scaleDownStabilizationSeconds: 5,
  syncPeriodSeconds: 1,
  capAtPartitionsWithLag: false,
};

let namespace: string;
let operator: OperatorHandle;
let admin: Admin;
let producer: Producer;
let consumer: Consumer | undefined;
let stopWatch: (() => void) | undefined;
const suffix = uniqueName("scale").slice(6);
const orders = `order-events-${suffix}`;
const groupId = uniqueName("inventory-group");
const deployment = "orders-inventory";
/** The replicas the policy scaled the backlog up to. */
let scaledTo = 0;
/** Every spec.replicas the inventory Deployment had, in order, as the watch saw them. */
const replicasSeen: number[] = [];

function pipeline(): StreamingPipeline {
  const p = examplePipeline(namespace, suffix);
  p.spec.producer.replicas = 0;
  p.spec.consumers = p.spec.consumers
    .filter((c) => c.name === "inventory")
    .map((c) => ({ ...c, groupId, autoscaling }));
  return p;
}

async function inventoryReplicas(): Promise<number | undefined> {
  const d = await apps
    .readNamespacedDeployment({ namespace, name: deployment })
    .catch(() => undefined);
  return d?.spec?.replicas;
}

async function produce(perPartition: number): Promise<void> {
  for (let partition = 0; partition < PARTITIONS; partition++) {
    await producer.send({
      topic: orders,
      acks: -1,
      messages: Array.from({ length: perPartition }, (_, i) => ({
        partition,
        key: `order-${i}`,
        value: JSON.stringify({ event_type: "OrderPlaced", n: i }),
      })),
    });
  }
}

async function watchReplicas(): Promise<() => void> {
  const watch = new k8s.Watch(kc);
  const abort = await watch.watch(
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    { fieldSelector: `metadata.name=${deployment}` },
    (_type, obj: k8s.V1Deployment) => {
      const replicas = obj.spec?.replicas;
      if (replicas !== undefined && replicasSeen.at(-1) !== replicas) replicasSeen.push(replicas);
    },
    () => undefined,
  );
  return () => abort.abort();
}

async function eventReasons(): Promise<string[]> {
  const events = await core.listNamespacedEvent({ namespace });
  return events.items
    .filter((e) => e.involvedObject.kind === "StreamingPipeline")
    .map((e) => `${e.reason}: ${e.message}`);
}

beforeAll(async () => {
  await installCrd();
  namespace = await createNamespace("op-scale");
  admin = await testAdmin();
  producer = testKafka("autoscaling-test").producer();
  await producer.connect();
  operator = await startTestOperator({ namespace, leaderElection: false });
  await operator.whenLeading();
});

afterAll(async () => {
  stopWatch?.();
  await consumer?.disconnect();
  await operator?.stop();
  await producer?.disconnect();
  await deleteNamespace(namespace);
  await admin?.deleteGroups([groupId]).catch(() => undefined);
  const mine = (await admin?.listTopics())?.filter((t) => t.includes(suffix)) ?? [];
  await deleteTopics(admin, mine);
  await admin?.disconnect();
});

describe("lag-based autoscaling of a consumer", () => {
  it("starts a consumer whose group has caught up at minReplicas, and reports its lag and health", async () => {
    await createPipeline(pipeline());
    await eventually("topic created", async () =>
      (await admin.listTopics()).includes(orders) ? true : undefined,
    );
    // The group has committed offsets: everything produced so far was read.
    await produce(10);
    await admin.setOffsets({
      groupId,
      topic: orders,
      partitions: (await admin.fetchTopicOffsets(orders)).map((o) => ({
        partition: o.partition,
        offset: o.high,
      })),
    });
    stopWatch = await watchReplicas();
    const p = await waitForPipeline(
      namespace,
      "orders",
      "the inventory consumer measured",
      (p) =>
        p.status?.consumers?.[0]?.lastDecision !== undefined && p.status.consumers[0].lag === 0,
    );
    expect(p.status?.consumers?.[0]).toMatchObject({
      name: "inventory",
      groupId,
      desiredReplicas: 1,
      lag: 0,
      partitions: PARTITIONS,
      health: "OK",
    });
    expect(await inventoryReplicas()).toBe(1);
  });

  it("scales up to the policy's answer for a backlog, never above the partition count", async () => {
    // The policy's answer, worked out as the operator does: the same glue (Autoscaler) and the
    // same pure policy, fed readings of the group one sync period apart from before the backlog
    // until it decides to change the replicas.
    const mirror = new Autoscaler();
    const advise = async () =>
      mirror.advise({
        pipelineKey: "mirror",
        consumer: "inventory",
        groupId,
        spec: autoscaling,
        lag: await readGroupLag(admin, groupId, [orders]),
        currentReplicas: 1,
        paused: false,
      });
    await advise();
    await produce(BACKLOG_PER_PARTITION);
    let answer: ScaleDecision | undefined;
    for (let i = 0; i < 5 && !answer; i++) {
      await new Promise((r) => setTimeout(r, autoscaling.syncPeriodSeconds * 1000));
      const got = await advise();
      expect(got?.observation.partitions.map((p) => p.lag)).toEqual([1000, 1000, 1000]);
      if (got && got.decision.replicas !== 1) answer = got.decision;
    }
    if (!answer) throw new Error("the policy never scaled the backlog up");
    const decided = answer;
    // ceil(3,000 / 100) = 30 wanted, maxReplicas 5: never more than the 3 partitions.
    expect(answer.replicas).toBeGreaterThan(1);
    expect(answer.replicas).toBeLessThanOrEqual(PARTITIONS);
    scaledTo = answer.replicas;

    await eventually("the Deployment scaled up", async () =>
      (await inventoryReplicas()) === decided.replicas ? true : undefined,
    );
    const p = await waitForPipeline(
      namespace,
      "orders",
      "status with the scale-up",
      (p) => (p.status?.consumers?.[0]?.desiredReplicas ?? 0) >= decided.replicas,
    );
    const status = p.status?.consumers?.[0];
    expect(status?.lag).toBe(PARTITIONS * BACKLOG_PER_PARTITION);
    expect(status?.lastScaleTime).toBeDefined();
    expect(p.status?.totalLag).toBe(PARTITIONS * BACKLOG_PER_PARTITION);
    expect(p.status?.conditions?.find((c) => c.type === "Scaling")?.reason).toMatch(
      /^(ScalingActive|PartitionLimited)$/,
    );
    const events = await eventually("a scaling Event", async () => {
      const all = await eventReasons();
      return all.some((e) => e.startsWith(`${decided.reason}: inventory: 1 → ${scaledTo} replicas`))
        ? all
        : undefined;
    });
    expect(events.length).toBeGreaterThan(0);
    expect(
      await metric(
        operator,
        "streaming_orders_consumer_group_lag",
        `namespace="${namespace}",pipeline="orders",consumer="inventory",group="${groupId}",topic="${orders}",partition="1"`,
      ),
    ).toBe(BACKLOG_PER_PARTITION);
    expect(
      await metric(
        operator,
        "streaming_orders_consumer_desired_replicas",
        `namespace="${namespace}",pipeline="orders",consumer="inventory"`,
      ),
    ).toBe(scaledTo);
  });

  it("falls back to minReplicas once the group drained the backlog, after the stabilization window", async () => {
    consumer = testKafka("autoscaling-test-consumer").consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
    });
    await consumer.connect();
    await consumer.subscribe({ topic: orders, fromBeginning: true });
    await consumer.run({ autoCommitInterval: 200, eachMessage: async () => undefined });
    await eventually(
      "the test consumer drained the backlog",
      async () =>
        totalLag((await readGroupLag(admin, groupId, [orders])).partitions) === 0
          ? true
          : undefined,
      30_000,
      100,
    );
    const drainedAt = Date.now();
    expect(await inventoryReplicas()).toBe(scaledTo);

    await eventually(
      "the Deployment back at minReplicas",
      async () => ((await inventoryReplicas()) === autoscaling.minReplicas ? true : undefined),
      30_000,
      100,
    );
    const scaledDownAfter = (Date.now() - drainedAt) / 1000;
    // The last recommendation made while catching up can be up to a sync period older than
    // the moment the test saw the lag at 0; the window is 5 s.
    expect(scaledDownAfter).toBeGreaterThanOrEqual(
      autoscaling.scaleDownStabilizationSeconds - 2 * autoscaling.syncPeriodSeconds,
    );
    // One step up, one step down: no flapping, never more replicas than partitions.
    expect(replicasSeen).toEqual([1, scaledTo, 1]);
    const p = await waitForPipeline(
      namespace,
      "orders",
      "status after the scale-down",
      (p) => p.status?.consumers?.[0]?.desiredReplicas === 1,
    );
    expect(p.status?.consumers?.[0]?.lastDecision?.reason).toMatch(
      /^(ScaledDownAfterStabilization|Steady)$/,
    );
    expect(await eventReasons()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^ScaledDownAfterStabilization: inventory: ${scaledTo} → 1 replicas`),
        ),
      ]),
    );
  });
});
