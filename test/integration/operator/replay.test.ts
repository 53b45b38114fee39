// Replay by `kubectl annotate` end to end on the real broker and API server. No node runs pods here,
// so where the consumer group must have members the test joins it with a kafkajs consumer.
import * as k8s from "@kubernetes/client-node";
import type { Admin, Consumer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REPLAY_ANNOTATION } from "../../../operator/src/api/constants.js";
import type { StreamingPipeline } from "../../../operator/src/api/types.js";
import type { OperatorHandle } from "../../../operator/src/operator.js";
import { eventually } from "../../support/eventually.js";
import { testKafka, uniqueName } from "../../support/kafka.js";
import { runOk, toolPath } from "../../support/tools.js";
import {
  apps,
  condition,
  core,
  createNamespace,
  createPipeline,
  deleteNamespace,
  deleteTopics,
  examplePipeline,
  getPipeline,
  installCrd,
  kc,
  metric,
  startTestOperator,
  testAdmin,
  waitForPipeline,
} from "./harness.js";

const suffix = uniqueName("replay").slice(7);
const orders = `order-events-${suffix}`;
const inventoryTopic = `inventory-events-${suffix}`;
const analyticsGroup = uniqueName("analytics-group");
const inventoryGroup = uniqueName("inventory-group");
const ANALYTICS = "orders-analytics";
const INVENTORY = "orders-inventory";

let namespace: string;
let operator: OperatorHandle;
let admin: Admin;
let kubectl: string;
let member: Consumer | undefined;
const replicasSeen = new Map<string, number[]>();
let stopWatch: (() => void) | undefined;

function pipeline(): StreamingPipeline {
  const p = examplePipeline(namespace, suffix);
  p.spec.producer.replicas = 0;
  for (const c of p.spec.consumers) {
    c.groupId = c.name === "analytics" ? analyticsGroup : inventoryGroup;
  }
  return p;
}

/** `kubectl annotate sp/orders streaming-orders.io/replay=VALUE`, as a user would type it. */
async function annotate(value: string): Promise<void> {
  await runOk(kubectl, [
    "--kubeconfig",
    inject("kubeconfig"),
    "-n",
    namespace,
    "annotate",
    "sp/orders",
    `${REPLAY_ANNOTATION}=${value}`,
  ]);
}

const annotation = (p: StreamingPipeline) => p.metadata.annotations?.[REPLAY_ANNOTATION];

async function replicas(name: string): Promise<number | undefined> {
  const d = await apps.readNamespacedDeployment({ namespace, name }).catch(() => undefined);
  return d?.spec?.replicas;
}

async function watchReplicas(): Promise<() => void> {
  const abort = await new k8s.Watch(kc).watch(
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    {},
    (_type, d: k8s.V1Deployment) => {
      const name = d.metadata?.name ?? "";
      const seen = replicasSeen.get(name) ?? [];
      const r = d.spec?.replicas;
      if (r !== undefined && seen.at(-1) !== r) seen.push(r);
      replicasSeen.set(name, seen);
    },
    () => undefined,
  );
  return () => abort.abort();
}

async function events(): Promise<Array<{ type: string; reason: string; message: string }>> {
  const list = await core.listNamespacedEvent({ namespace });
  return list.items
    .filter((e) => e.involvedObject.kind === "StreamingPipeline")
    .map((e) => ({ type: e.type ?? "", reason: e.reason ?? "", message: e.message ?? "" }));
}

/** Per topic/partition: the log start and end, and the analytics group's committed offset. */
async function offsets() {
  const out = new Map<string, { logStart: number; logEnd: number; committed: number | null }>();
  const committed = await admin.fetchOffsets({
    groupId: analyticsGroup,
    topics: [orders, inventoryTopic],
  });
  for (const topic of [orders, inventoryTopic]) {
    const logs = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
    for (const o of logs) {
      const c = committed
        .find((t) => t.topic === topic)
        ?.partitions.find((x) => x.partition === o.partition);
      const value = Number(c?.offset ?? -1);
      out.set(`${topic}/${o.partition}`, {
        logStart: Number(o.low),
        logEnd: Number(o.high),
        committed: value < 0 ? null : value,
      });
    }
  }
  return out;
}

/** Joins the analytics group as one member that reads everything and commits. */
async function joinAnalyticsGroup(): Promise<Consumer> {
  const consumer = testKafka("replay-test-member").consumer({
    groupId: analyticsGroup,
    sessionTimeout: 30_000,
    heartbeatInterval: 1000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [orders, inventoryTopic], fromBeginning: true });
  await consumer.run({ autoCommitInterval: 200, eachMessage: async () => undefined });
  await eventually("the test member in the group and caught up", async () => {
    const { groups } = await admin.describeGroups([analyticsGroup]);
    if (groups[0]?.state !== "Stable") return undefined;
    const all = [...(await offsets()).values()];
    return all.every((o) => o.committed === o.logEnd) ? true : undefined;
  });
  return consumer;
}

async function leaveAnalyticsGroup(): Promise<void> {
  await member?.disconnect();
  member = undefined;
}

beforeAll(async () => {
  await installCrd();
  kubectl = await toolPath("kubectl");
  namespace = await createNamespace("op-replay");
  admin = await testAdmin();
  operator = await startTestOperator({
    namespace,
    leaderElection: false,
    replay: { emptyGroupTimeoutMs: 30_000, stepDelayMs: 200 },
  });
  await operator.whenLeading();
  await createPipeline(pipeline());
  await eventually("topics created", async () => {
    const topics = await admin.listTopics();
    return topics.includes(orders) && topics.includes(inventoryTopic) ? true : undefined;
  });
  const producer = testKafka("replay-test").producer();
  await producer.connect();
  for (const [topic, perPartition] of [
    [orders, 100],
    [inventoryTopic, 50],
  ] as const) {
    for (let partition = 0; partition < 3; partition++) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: perPartition }, (_, i) => ({ partition, value: `${i}` })),
      });
    }
  }
  await producer.disconnect();
  // Retention took the first 10 events of one partition: the log starts at 10 there.
  await admin.deleteTopicRecords({ topic: orders, partitions: [{ partition: 0, offset: "10" }] });
  // The analytics group read everything.
  for (const topic of [orders, inventoryTopic]) {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId: analyticsGroup,
      topic,
      partitions: ends.map((o) => ({ partition: o.partition, offset: o.high })),
    });
  }
  await eventually("both consumer Deployments", async () =>
    (await replicas(ANALYTICS)) === 1 && (await replicas(INVENTORY)) === 1 ? true : undefined,
  );
  stopWatch = await watchReplicas();
});

afterAll(async () => {
  stopWatch?.();
  await leaveAnalyticsGroup().catch(() => undefined);
  await operator?.stop();
  await deleteNamespace(namespace);
  await admin?.deleteGroups([analyticsGroup, inventoryGroup]).catch(() => undefined);
  const mine = (await admin?.listTopics())?.filter((t) => t.includes(suffix)) ?? [];
  await deleteTopics(admin, mine);
  await admin?.disconnect();
});

describe("replay by kubectl annotate", () => {
  it.each([
    {
      value: "analytics:yesterday",
      reason: "InvalidReplayRequest",
      message:
        'refused streaming-orders.io/replay="analytics:yesterday": target "yesterday" is not earliest, latest, an RFC 3339 time (2026-01-02T15:04:05Z) or a negative duration (-1h, -30m, -1h30m)',
    },
    {
      value: "billing:earliest",
      reason: "UnknownConsumer",
      message:
        'refused streaming-orders.io/replay="billing:earliest": pipeline orders has no consumer "billing" (its consumers: inventory, analytics)',
    },
  ])(
    "refuses $value with a message, removes the annotation and touches nothing",
    async ({ value, reason, message }) => {
      const before = await offsets();
      await annotate(value);
      const p = await waitForPipeline(
        namespace,
        "orders",
        "the refusal",
        (p) => annotation(p) === undefined && condition(p, "Replay")?.reason === reason,
      );
      expect(condition(p, "Replay")).toMatchObject({ status: "False", reason, message });
      expect(p.status?.replay).toBeUndefined();
      expect(await events()).toContainEqual({ type: "Warning", reason, message });
      expect(await offsets()).toEqual(before);
      expect(replicasSeen.get(ANALYTICS)).toEqual([1]);
    },
  );

  it("replays analytics from the earliest offsets: scaled to 0, offsets at the log start, scaled back, recorded", async () => {
    const before = await offsets();
    await annotate("analytics:earliest");
    const p = await waitForPipeline(
      namespace,
      "orders",
      "the replay completed and the annotation gone",
      (p) => p.status?.replay?.phase === "Completed" && annotation(p) === undefined,
      30_000,
    );
    const after = await offsets();
    for (const [key, o] of after) {
      expect({ key, committed: o.committed }).toEqual({ key, committed: o.logStart });
    }
    expect(after.get(`${orders}/0`)?.logStart).toBe(10);

    const replay = p.status?.replay;
    expect(replay).toMatchObject({
      request: "analytics:earliest",
      consumer: "analytics",
      groupId: analyticsGroup,
      target: "earliest",
      restoreReplicas: 1,
      // 90 + 100 + 100 on order-events (10 deleted), 3 x 50 on inventory-events.
      eventsToReprocess: 290 + 150,
      eventsSkipped: 0,
    });
    expect(Date.parse(replay?.completedAt ?? "")).toBeGreaterThanOrEqual(
      Date.parse(replay?.requestedAt ?? ""),
    );
    expect(replay?.partitions).toEqual(
      [...before].map(([key, o]) => {
        const [topic, partition] = key.split("/");
        return { topic, partition: Number(partition), before: o.logEnd, after: o.logStart };
      }),
    );
    expect(condition(p, "Replay")).toMatchObject({ status: "True", reason: "ReplayCompleted" });

    // Down to 0 and back; the other consumer left alone.
    expect(replicasSeen.get(ANALYTICS)).toEqual([1, 0, 1]);
    expect(replicasSeen.get(INVENTORY)).toEqual([1]);
    const reasons = (await events()).map((e) => e.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(["ReplayStarted", "ReplayOffsetsMoved", "ReplayCompleted"]),
    );
    expect(
      await metric(
        operator,
        "streaming_orders_replays_total",
        `namespace="${namespace}",pipeline="orders",consumer="analytics",result="completed"`,
      ),
    ).toBe(1);
  });

  it("finishes a replay the operator was stopped in the middle of, after a restart", async () => {
    replicasSeen.set(ANALYTICS, []);
    member = await joinAnalyticsGroup();
    await annotate("analytics:-1h");
    const waiting = await waitForPipeline(
      namespace,
      "orders",
      "the replay waiting for the group to empty",
      (p) =>
        p.status?.replay?.phase === "WaitingForEmptyGroup" &&
        (p.status.replay.message ?? "").includes("1 member"),
    );
    expect(await replicas(ANALYTICS)).toBe(0);
    const requestedAt = waiting.status?.replay?.requestedAt ?? "";
    // The relative target was fixed when the request was accepted.
    expect(waiting.status?.replay?.target).toBe(
      new Date(Date.parse(requestedAt) - 3_600_000).toISOString(),
    );

    await operator.stop();
    await leaveAnalyticsGroup();
    const before = await offsets();
    operator = await startTestOperator({
      namespace,
      leaderElection: false,
      replay: { emptyGroupTimeoutMs: 4000, stepDelayMs: 200 },
    });
    await operator.whenLeading();

    const p = await waitForPipeline(
      namespace,
      "orders",
      "the replay completed by the new operator",
      (p) => p.status?.replay?.phase === "Completed" && annotation(p) === undefined,
      30_000,
    );
    expect(p.status?.replay?.requestedAt).toBe(requestedAt);
    // Every event is less than an hour old: an hour back is the log start.
    for (const [key, o] of await offsets()) {
      expect({ key, committed: o.committed }).toEqual({ key, committed: o.logStart });
    }
    expect(p.status?.replay?.partitions?.map((x) => x.before)).toEqual(
      [...before.values()].map((o) => o.committed),
    );
    expect(p.status?.replay?.eventsToReprocess).toBe(290 + 150);
    expect(await replicas(ANALYTICS)).toBe(1);
    expect(replicasSeen.get(ANALYTICS)?.at(-1)).toBe(1);
  });

  it("gives up with MembersLingering when the group does not empty in time, and scales the consumer back", async () => {
    member = await joinAnalyticsGroup();
    const before = await offsets();
    await annotate("analytics:earliest");
    const p = await waitForPipeline(
      namespace,
      "orders",
      "the replay failed and the annotation gone",
      (p) => p.status?.replay?.phase === "Failed" && annotation(p) === undefined,
      30_000,
    );
    expect(p.status?.replay?.failure?.reason).toBe("MembersLingering");
    expect(condition(p, "Replay")).toMatchObject({ status: "False", reason: "MembersLingering" });
    expect(condition(p, "Replay")?.message).toContain(`group ${analyticsGroup} still has 1 member`);
    expect(
      (await events()).some((e) => e.type === "Warning" && e.reason === "MembersLingering"),
    ).toBe(true);
    expect(await replicas(ANALYTICS)).toBe(1);
    // Nothing moved: the member's own commits stand.
    const after = await offsets();
    for (const [key, o] of before) expect(after.get(key)?.committed).toBe(o.committed);
    await leaveAnalyticsGroup();
    expect((await getPipeline(namespace, "orders")).status?.replay?.phase).toBe("Failed");
  });
});
