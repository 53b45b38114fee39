import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperatorHandle } from "../../../operator/src/operator.js";
import { eventually } from "../../support/eventually.js";
import { uniqueName } from "../../support/kafka.js";
import {
  apps,
  condition,
  coordination,
  core,
  createNamespace,
  createPipeline,
  deleteNamespace,
  deleteTopics,
  examplePipeline,
  getPipeline,
  installCrd,
  jsonPatchPipeline,
  kafkaTopic,
  metric,
  startTestOperator,
  testAdmin,
  waitForPipeline,
} from "./harness.js";

let namespace: string;
let admin: Admin;
const suffix = uniqueName("lead").slice(5);
const topics = [`order-events-${suffix}`, `inventory-events-${suffix}`];
const running: OperatorHandle[] = [];

async function start(identity: string): Promise<OperatorHandle> {
  const op = await startTestOperator({ namespace, identity });
  running.push(op);
  return op;
}

async function stop(op: OperatorHandle): Promise<void> {
  await op.stop();
  running.splice(running.indexOf(op), 1);
}

/** resourceVersions of the pipeline and everything the operator made for it. */
async function resourceVersions(): Promise<Record<string, string | undefined>> {
  const p = await getPipeline(namespace, "orders");
  const deployments = await apps.listNamespacedDeployment({ namespace });
  const services = await core.listNamespacedService({ namespace });
  return {
    pipeline: p.metadata.resourceVersion,
    ...Object.fromEntries(
      deployments.items.map((d) => [`deployment/${d.metadata?.name}`, d.metadata?.resourceVersion]),
    ),
    ...Object.fromEntries(
      services.items.map((s) => [`service/${s.metadata?.name}`, s.metadata?.resourceVersion]),
    ),
  };
}

/** Waits until nothing changes for `quietMs` (the Deployment controller has settled too). */
async function settled(quietMs = 4000): Promise<Record<string, string | undefined>> {
  let last = await resourceVersions();
  let since = Date.now();
  return eventually(
    "the pipeline and its objects to settle",
    async () => {
      const now = await resourceVersions();
      if (JSON.stringify(now) !== JSON.stringify(last)) {
        last = now;
        since = Date.now();
        return undefined;
      }
      return Date.now() - since >= quietMs ? now : undefined;
    },
    60_000,
    500,
  );
}

const reconciles = async (op: OperatorHandle) =>
  (await metric(op, "streaming_orders_reconcile_total", 'result="success"')) +
  (await metric(op, "streaming_orders_reconcile_total", 'result="retry"')) +
  (await metric(op, "streaming_orders_reconcile_total", 'result="error"'));

beforeAll(async () => {
  await installCrd();
  namespace = await createNamespace("op-lead");
  admin = await testAdmin();
});

afterAll(async () => {
  for (const op of [...running]) await op.stop();
  await deleteNamespace(namespace);
  await deleteTopics(admin, topics);
  await admin?.disconnect();
});

describe("operator restarts and leader election", () => {
  it("with two operators, only the leader reconciles and writes", async () => {
    const a = await start("operator-a");
    const b = await start("operator-b");
    const leader = await eventually("one leader", async () => {
      const leaders = [a, b].filter((o) => o.isLeader());
      return leaders.length === 1 ? leaders[0] : undefined;
    });
    await leader?.whenLeading();
    const follower = leader === a ? b : a;

    await createPipeline(examplePipeline(namespace, suffix));
    await waitForPipeline(
      namespace,
      "orders",
      "TopicsReady=True",
      (p) => condition(p, "TopicsReady")?.status === "True",
    );
    await settled();

    expect(follower.isLeader()).toBe(false);
    expect(await reconciles(leader as OperatorHandle)).toBeGreaterThan(0);
    expect(await reconciles(follower)).toBe(0);
    expect(await metric(follower, "streaming_orders_leader")).toBe(0);
    expect(await metric(leader as OperatorHandle, "streaming_orders_leader")).toBe(1);
    const lease = await coordination.readNamespacedLease({
      namespace,
      name: "streaming-orders-operator",
    });
    expect(lease.spec?.holderIdentity).toBe(leader?.identity);
    const events = await core.listNamespacedEvent({
      namespace,
      fieldSelector: "involvedObject.kind=StreamingPipeline",
    });
    expect(events.items.length).toBeGreaterThan(0);
    const reporters = new Set(events.items.map((e) => e.reportingInstance));
    expect([...reporters]).toEqual([leader?.identity]);
    // Both serve /readyz: a standby replica is ready to take over.
    for (const op of [a, b]) {
      expect((await fetch(`http://127.0.0.1:${op.httpPort}/readyz`)).status).toBe(200);
    }
  });

  it("hands over to the standby when the leader stops, and the new leader acts on changes", async () => {
    const [leader] = running.filter((o) => o.isLeader());
    const [standby] = running.filter((o) => !o.isLeader());
    if (!leader || !standby) throw new Error("expected a leader and a standby");
    await stop(leader);
    await standby.whenLeading(15_000);
    await jsonPatchPipeline(namespace, "orders", [
      { op: "replace", path: "/spec/topics/0/partitions", value: 4 },
    ]);
    await eventually("4 partitions in Kafka", async () =>
      (await kafkaTopic(admin, topics[0] as string))?.partitions === 4 ? true : undefined,
    );
    const lease = await coordination.readNamespacedLease({
      namespace,
      name: "streaming-orders-operator",
    });
    expect(lease.spec?.holderIdentity).toBe(standby.identity);
    expect(lease.spec?.leaseTransitions).toBeGreaterThanOrEqual(1);
  });

  it("changes nothing when restarted: every resourceVersion stays the same", async () => {
    await waitForPipeline(
      namespace,
      "orders",
      "status for generation 2",
      (p) => p.status?.observedGeneration === 2,
    );
    const before = await settled();
    for (const op of [...running]) await stop(op);

    const restarted = await start("operator-c");
    await restarted.whenLeading();
    // The first reconcile runs at start; wait for it and two resyncs (3 s apart) more.
    await eventually(
      "three reconciles after the restart",
      async () =>
        (await metric(restarted, "streaming_orders_reconcile_total", 'result="success"')) >= 3
          ? true
          : undefined,
      20_000,
    );
    expect(await resourceVersions()).toEqual(before);
    expect(await metric(restarted, "streaming_orders_reconcile_total", 'result="error"')).toBe(0);
  });
});
