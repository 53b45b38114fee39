import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
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
  deleteNamespace,
  deleteTopics,
  examplePipeline,
  installCrd,
  jsonPatchPipeline,
  kafkaBrokers,
  kafkaTopic,
  metric,
  startTestOperator,
  testAdmin,
  waitForPipeline,
} from "./harness.js";

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, "../../..");
let namespace: string;
let operator: OperatorHandle;
const suffix = uniqueName("out").slice(4);
const topics = [`order-events-${suffix}`, `inventory-events-${suffix}`];

/** A port nothing listens on (and its +1, which a Kafka controller would take). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = 30_000 + 2 * Math.floor(Math.random() * 4000);
    const free = await Promise.all([port, port + 1].map(isFree));
    if (free.every(Boolean)) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

beforeAll(async () => {
  await installCrd();
  namespace = await createNamespace("op-outage");
  operator = await startTestOperator({ namespace });
  await operator.whenLeading();
});

afterAll(async () => {
  await operator?.stop();
  await deleteNamespace(namespace);
  const admin = await testAdmin();
  await deleteTopics(admin, topics);
  await admin.disconnect();
});

describe("when Kafka cannot be reached", () => {
  it("says so in KafkaReachable with the address and error, keeps retrying, and never crashes", async () => {
    const dead = `127.0.0.1:${await freePortPair()}`;
    const p = examplePipeline(namespace, suffix);
    p.spec.kafka = { bootstrapServers: dead };
    await createPipeline(p);
    const got = await waitForPipeline(
      namespace,
      "orders",
      "KafkaReachable=False",
      (p) => condition(p, "KafkaReachable")?.status === "False",
    );
    expect(condition(got, "KafkaReachable")).toMatchObject({ reason: "KafkaUnreachable" });
    expect(condition(got, "KafkaReachable")?.message).toMatch(
      new RegExp(`^could not connect to ${dead} \\(ECONNREFUSED\\); retrying in \\d+(ms|s)$`),
    );
    expect(condition(got, "TopicsReady")).toMatchObject({
      status: "Unknown",
      reason: "KafkaUnreachable",
    });
    expect(condition(got, "Ready")).toMatchObject({ status: "False", reason: "KafkaUnreachable" });
    // The workloads are applied anyway, pointing at the address the spec gives.
    const producer = await apps.readNamespacedDeployment({ namespace, name: "orders-producer" });
    expect(producer.spec?.template.spec?.containers[0]?.env?.[0]).toEqual({
      name: "KAFKA_BOOTSTRAP_SERVERS",
      value: dead,
    });
    const events = await core.listNamespacedEvent({
      namespace,
      fieldSelector: "involvedObject.name=orders",
    });
    expect(events.items.map((e) => [e.type, e.reason])).toContainEqual([
      "Warning",
      "KafkaUnreachable",
    ]);

    await eventually("several retries with backoff", async () =>
      (await metric(
        operator,
        "streaming_orders_reconcile_errors_total",
        'reason="KafkaUnreachable"',
      )) >= 3
        ? true
        : undefined,
    );
    expect((await fetch(`http://127.0.0.1:${operator.httpPort}/healthz`)).status).toBe(200);
  });

  it("recovers when pointed at a live broker", async () => {
    await jsonPatchPipeline(namespace, "orders", [
      { op: "replace", path: "/spec/kafka/bootstrapServers", value: kafkaBrokers() },
    ]);
    const p = await waitForPipeline(
      namespace,
      "orders",
      "KafkaReachable=True and TopicsReady=True",
      (p) =>
        condition(p, "KafkaReachable")?.status === "True" &&
        condition(p, "TopicsReady")?.status === "True",
    );
    expect(condition(p, "KafkaReachable")?.message).toBe(
      `connected to ${kafkaBrokers()} (1 broker)`,
    );
    const admin = await testAdmin();
    expect((await kafkaTopic(admin, topics[0] as string))?.partitions).toBe(3);
    await admin.disconnect();
  });
});

describe("when its own broker stops and comes back", () => {
  const runDir = mkdtempSync(join(tmpdir(), "so-kafka-"));
  let env: NodeJS.ProcessEnv;
  let bootstrap: string;

  const kafkaSh = async (cmd: "up" | "down") =>
    (
      await run(resolve(repoRoot, "hack/kafka.sh"), [cmd], { cwd: repoRoot, env, timeout: 180_000 })
    ).stdout
      .trim()
      .split("\n")
      .at(-1) ?? "";

  beforeAll(async () => {
    // A second single-node Kafka with its own ports and data, so the shared broker stays up.
    env = {
      ...process.env,
      STREAMING_ORDERS_RUN: runDir,
      KAFKA_PORT: String(await freePortPair()),
    };
    bootstrap = await kafkaSh("up");
  }, 240_000);

  afterAll(async () => {
    await kafkaSh("down").catch(() => undefined);
    rmSync(runDir, { recursive: true, force: true });
  }, 120_000);

  it("reports the outage and recovers by itself, re-creating the topics on the fresh broker", async () => {
    const p = examplePipeline(namespace, suffix);
    p.metadata.name = "own-broker";
    p.spec.kafka = { bootstrapServers: bootstrap };
    await createPipeline(p);
    await waitForPipeline(
      namespace,
      "own-broker",
      "TopicsReady=True",
      (p) => condition(p, "TopicsReady")?.status === "True",
    );

    await kafkaSh("down");
    const down = await waitForPipeline(
      namespace,
      "own-broker",
      "KafkaReachable=False",
      (p) => condition(p, "KafkaReachable")?.status === "False",
      30_000,
    );
    expect(condition(down, "KafkaReachable")?.message).toContain(
      `could not connect to ${bootstrap}`,
    );

    // Same address, fresh storage: the operator must notice on its own and create the topics again.
    expect(await kafkaSh("up")).toBe(bootstrap);
    await waitForPipeline(
      namespace,
      "own-broker",
      "KafkaReachable=True and TopicsReady=True again",
      (p) =>
        condition(p, "KafkaReachable")?.status === "True" &&
        condition(p, "TopicsReady")?.status === "True",
      60_000,
    );
    const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    expect((await kafkaTopic(admin, topics[0] as string))?.config).toEqual({
      "retention.ms": "604800000",
    });
    await admin.disconnect();
  }, 240_000);
});
