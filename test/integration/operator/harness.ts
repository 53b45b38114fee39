// Shared set-up for the operator's integration tests: the CRD, a namespace per test file, the
// example pipeline with topic names no other test uses, and an operator started in-process.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as k8s from "@kubernetes/client-node";
import yaml from "js-yaml";
import { type Admin, ConfigResourceTypes, ConfigSource } from "kafkajs";
import { pino } from "pino";
import { afterAll, beforeAll, inject } from "vitest";
import { GROUP, PLURAL, VERSION } from "../../../operator/src/api/constants.js";
import type { Condition, StreamingPipeline } from "../../../operator/src/api/types.js";
import {
  type OperatorHandle,
  type StartOperatorOptions,
  startOperator,
} from "../../../operator/src/operator.js";
import { eventually } from "../../support/eventually.js";
import { testKafka, uniqueName } from "../../support/kafka.js";
import { testKubeConfig } from "../../support/kube.js";

const repoRoot = resolve(import.meta.dirname, "../../..");
export const kc = testKubeConfig();
export const core = kc.makeApiClient(k8s.CoreV1Api);
export const apps = kc.makeApiClient(k8s.AppsV1Api);
export const custom = kc.makeApiClient(k8s.CustomObjectsApi);
export const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
const extensions = kc.makeApiClient(k8s.ApiextensionsV1Api);

export const kafkaBrokers = (): string => inject("kafkaBrokers");

/** Installs (or updates) the CRD from crds/ and waits until the API server serves it. */
export async function installCrd(): Promise<void> {
  const crd = yaml.load(
    readFileSync(resolve(repoRoot, "crds/streamingpipeline.yaml"), "utf8"),
  ) as k8s.V1CustomResourceDefinition;
  // Sent as is: the typed serializer of KubernetesObjectApi would drop the x-kubernetes-* keys.
  await extensions.patchCustomResourceDefinition(
    {
      name: crd.metadata?.name ?? "",
      body: crd,
      fieldManager: "streaming-orders-tests",
      force: true,
    },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply),
  );
  await eventually("the StreamingPipeline CRD to be established", async () => {
    const got = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? "" });
    return got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")
      ? true
      : undefined;
  });
}

export async function createNamespace(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  await core.deleteNamespace({ name }).catch(() => undefined);
}

/**
 * examples/pipeline.yaml in `namespace`, on the test broker, with every topic renamed
 * `<topic>-<suffix>` so the test owns its topics.
 */
export function examplePipeline(namespace: string, suffix: string): StreamingPipeline {
  const p = yaml.load(
    readFileSync(resolve(repoRoot, "examples/pipeline.yaml"), "utf8"),
  ) as StreamingPipeline;
  const rename = (t: string) => `${t}-${suffix}`;
  p.metadata.namespace = namespace;
  p.spec.kafka = { bootstrapServers: kafkaBrokers() };
  for (const t of p.spec.topics) t.name = rename(t.name);
  p.spec.producer.topic = rename(p.spec.producer.topic);
  for (const c of p.spec.consumers) {
    c.topics = c.topics.map(rename);
    if (c.outputTopic) c.outputTopic = rename(c.outputTopic);
  }
  return p;
}

export async function createPipeline(p: StreamingPipeline): Promise<StreamingPipeline> {
  return (await custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: p.metadata.namespace,
    plural: PLURAL,
    body: p,
  })) as StreamingPipeline;
}

export async function getPipeline(namespace: string, name: string): Promise<StreamingPipeline> {
  return (await custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL,
    name,
  })) as StreamingPipeline;
}

/** A JSON patch (RFC 6902) of a pipeline, as `kubectl patch --type=json` sends it. */
export async function jsonPatchPipeline(
  namespace: string,
  name: string,
  ops: Array<{ op: string; path: string; value?: unknown }>,
): Promise<StreamingPipeline> {
  return (await custom.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: ops },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch),
  )) as StreamingPipeline;
}

export async function deletePipeline(namespace: string, name: string): Promise<void> {
  await custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL,
    name,
  });
}

export function condition(p: StreamingPipeline, type: string): Condition | undefined {
  return p.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the pipeline's status satisfies `test`, and returns it. */
export function waitForPipeline(
  namespace: string,
  name: string,
  what: string,
  test: (p: StreamingPipeline) => boolean,
  timeoutMs = 60_000,
): Promise<StreamingPipeline> {
  return eventually(
    what,
    async () => {
      const p = await getPipeline(namespace, name);
      return test(p) ? p : undefined;
    },
    timeoutMs,
    200,
  );
}

/** The API server's message for a refused request, and its HTTP code. */
export async function refusal(
  request: Promise<unknown>,
): Promise<{ code: number; message: string }> {
  try {
    await request;
  } catch (err) {
    if (err instanceof k8s.ApiException) {
      const body = typeof err.body === "string" ? JSON.parse(err.body) : err.body;
      return { code: err.code, message: (body as { message: string }).message };
    }
    throw err;
  }
  throw new Error("the request was accepted");
}

export interface TestOperatorOptions {
  namespace: string;
  identity?: string;
  leaseName?: string;
  leaderElection?: boolean;
  /** Passed through to startOperator (e.g. a short replay timeout). */
  autoscaler?: StartOperatorOptions["autoscaler"];
  replay?: StartOperatorOptions["replay"];
}

/**
 * An operator in this process watching one namespace, with timings shortened for tests (fast
 * retries, a 4 s lease, a 3 s resync). Logs go nowhere unless OPERATOR_TEST_LOG names a level.
 */
export function startTestOperator(o: TestOperatorOptions): Promise<OperatorHandle> {
  return startOperator({
    kubeconfig: kc,
    logger: pino({ level: process.env.OPERATOR_TEST_LOG ?? "silent" }),
    ...(o.autoscaler ? { autoscaler: o.autoscaler } : {}),
    ...(o.replay ? { replay: o.replay } : {}),
    config: {
      identity: o.identity ?? uniqueName("operator"),
      watchNamespaces: [o.namespace],
      workloadImage: "streaming-orders/workloads:test",
      httpPort: 0,
      workers: 2,
      resyncPeriodMs: 3000,
      retryBaseDelayMs: 200,
      retryMaxDelayMs: 3000,
      kafkaConnectTimeoutMs: 1000,
      leaderElection: {
        enabled: o.leaderElection ?? true,
        namespace: o.namespace,
        leaseName: o.leaseName ?? "streaming-orders-operator",
        leaseDurationMs: 4000,
        renewDeadlineMs: 3000,
        retryPeriodMs: 500,
      },
    },
  });
}

/** Reads one metric's value from the operator's /metrics endpoint. */
export async function metric(op: OperatorHandle, name: string, labels = ""): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${op.httpPort}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

export interface KafkaTopic {
  partitions: number;
  config: Record<string, string>;
}

/** What the broker says about a topic: partitions and topic-level config; undefined if absent. */
export async function kafkaTopic(admin: Admin, name: string): Promise<KafkaTopic | undefined> {
  const topics = await admin.listTopics();
  if (!topics.includes(name)) return undefined;
  const metadata = await admin.fetchTopicMetadata({ topics: [name] });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name }],
  });
  return {
    partitions: metadata.topics[0]?.partitions.length ?? 0,
    config: Object.fromEntries(
      (configs.resources[0]?.configEntries ?? [])
        .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG)
        .map((e) => [e.configName, e.configValue]),
    ),
  };
}

export async function testAdmin(): Promise<Admin> {
  const admin = testKafka("operator-tests").admin();
  await admin.connect();
  return admin;
}

export async function deleteTopics(admin: Admin | undefined, names: string[]): Promise<void> {
  if (!admin) return;
  const existing = new Set(await admin.listTopics());
  const present = names.filter((n) => existing.has(n));
  if (present.length > 0) await admin.deleteTopics({ topics: present }).catch(() => undefined);
}

/** What a test file works with: its namespace, an operator watching it, and a Kafka admin. */
export interface OperatorTestBed {
  namespace: string;
  operator: OperatorHandle;
  admin: Admin;
}

/**
 * Sets up a test file's bed before its tests (the CRD, a namespace of its own, a Kafka admin, an
 * operator watching the namespace and leading) and removes it after them, with the topics
 * `topics()` names. The returned object is filled in once the file's tests run.
 */
export function operatorTestBed(
  prefix: string,
  topics: () => string[],
  options: Omit<TestOperatorOptions, "namespace"> = {},
): OperatorTestBed {
  const bed = {} as OperatorTestBed;
  beforeAll(async () => {
    await installCrd();
    bed.namespace = await createNamespace(prefix);
    bed.admin = await testAdmin();
    bed.operator = await startTestOperator({ namespace: bed.namespace, ...options });
    await bed.operator.whenLeading();
  });
  afterAll(async () => {
    await bed.operator?.stop();
    if (bed.namespace) await deleteNamespace(bed.namespace);
    await deleteTopics(bed.admin, topics());
    await bed.admin?.disconnect();
  });
  return bed;
}
