import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import type { Admin } from "kafkajs";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUP, PLURAL, VERSION } from "../../../operator/src/api/constants.js";
import { parseConfig } from "../../../operator/src/config.js";
import { type OperatorHandle, startOperator } from "../../../operator/src/operator.js";
import { eventually } from "../../support/eventually.js";
import { uniqueName } from "../../support/kafka.js";
import { testKubeConfig } from "../../support/kube.js";
import { repoRoot } from "../../support/tools.js";
import {
  apps,
  condition,
  core,
  createPipeline,
  custom,
  deletePipeline,
  deleteTopics,
  examplePipeline,
  getPipeline,
  kafkaBrokers,
  kafkaTopic,
  testAdmin,
  waitForPipeline,
} from "../operator/harness.js";
import {
  applyObjects,
  createNamespace,
  deleteNamespaces,
  installPipelineCrd,
} from "./api-server.js";
import { type ChartWorkspace, chartWorkspace, renderObjects } from "./workspace.js";

// The chart's RBAC must let the operator do its whole job and nothing else. So the operator runs
// here in-process, but as the chart's ServiceAccount (a token from the TokenRequest API) and with
// the environment the chart's Deployment gives it, limited to one watched namespace.

let ws: ChartWorkspace;
let releaseNs: string;
let watchedNs: string;
let otherNs: string;
let operator: OperatorHandle | undefined;
let admin: Admin;
let deployment: k8s.V1Deployment;
const suffix = uniqueName("rbac").slice(5);
const topics = [`order-events-${suffix}`, `inventory-events-${suffix}`];
/** The operator also creates the inventory's dead-letter topic. */
const deadLetters = `order-events-${suffix}.dlq`;
const serviceAccount = () => `system:serviceaccount:${releaseNs}:so-streaming-orders-operator`;

beforeAll(async () => {
  ws = await chartWorkspace();
  await installPipelineCrd(join(repoRoot, "crds/streamingpipeline.yaml"));
  [releaseNs, watchedNs, otherNs] = await Promise.all([
    createNamespace("chart-rbac-op"),
    createNamespace("chart-rbac-app"),
    createNamespace("chart-rbac-other"),
  ]);
  admin = await testAdmin();
  const objects = await renderObjects(ws, {
    release: "so",
    namespace: releaseNs,
    set: [
      `operator.watchNamespaces={${watchedNs}}`,
      "rbac.aggregateToDefaultRoles=false",
      "kafka.mode=external",
      `kafka.external.bootstrapServers=${kafkaBrokers()}`,
    ],
  });
  const rbac = objects.filter((o) =>
    ["ServiceAccount", "Role", "RoleBinding"].includes(o.kind ?? ""),
  );
  expect(objects.filter((o) => o.kind?.startsWith("Cluster"))).toEqual([]);
  const applied = await applyObjects(rbac);
  expect(applied.stderr).toBe("");
  deployment = objects.find((o) => o.kind === "Deployment") as k8s.V1Deployment;

  operator = await startOperator({
    kubeconfig: await serviceAccountKubeConfig(releaseNs, "so-streaming-orders-operator"),
    baseConfig: parseConfig(chartEnvironment(deployment, releaseNs), "rbac-test"),
    // Only what a test process needs: a free port and quick retries.
    config: { httpPort: 0, resyncPeriodMs: 3000, retryBaseDelayMs: 200, retryMaxDelayMs: 3000 },
    logger: pino({ level: process.env.OPERATOR_TEST_LOG ?? "silent" }),
  });
  await operator.whenLeading();
});

afterAll(async () => {
  await operator?.stop();
  // A pipeline left by a failed test keeps its topic finalizer with no operator to remove it.
  if (watchedNs) {
    await custom
      .patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: watchedNs,
          plural: PLURAL,
          name: "orders",
          body: { metadata: { finalizers: null } },
        },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      )
      .catch(() => undefined);
  }
  await deleteNamespaces([releaseNs, watchedNs, otherNs].filter(Boolean));
  await deleteTopics(admin, [...topics, deadLetters]);
  await admin?.disconnect();
  await ws?.remove();
});

describe("the operator under the chart's ServiceAccount and Roles", () => {
  it("takes the configuration the chart's Deployment gives it", () => {
    const config = parseConfig(chartEnvironment(deployment, releaseNs), "rbac-test");
    expect(config).toMatchObject({
      watchNamespaces: [watchedNs],
      identity: "so-streaming-orders-operator-7d9f-abcde",
      workloadImage: "streaming-orders:0.1.0",
      httpPort: 8080,
      leaderElection: {
        enabled: true,
        namespace: releaseNs,
        leaseName: "so-streaming-orders-operator",
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
      },
    });
  });

  it("leads on the chart's Lease in the release namespace", async () => {
    const coordination = testKubeConfig().makeApiClient(k8s.CoordinationV1Api);
    const lease = await coordination.readNamespacedLease({
      namespace: releaseNs,
      name: "so-streaming-orders-operator",
    });
    expect(lease.spec?.holderIdentity).toBe(operator?.identity);
  });

  it("reconciles a pipeline in the watched namespace: topics, workloads, status, events", async () => {
    const pipeline = examplePipeline(watchedNs, suffix);
    pipeline.spec.topicDeletionPolicy = "Delete";
    await createPipeline(pipeline);
    const p = await waitForPipeline(
      watchedNs,
      "orders",
      "TopicsReady=True with the finalizer",
      (p) =>
        condition(p, "TopicsReady")?.status === "True" &&
        (p.metadata.finalizers ?? []).includes("streaming-orders.io/delete-topics"),
    );
    expect(condition(p, "KafkaReachable")?.status).toBe("True");
    for (const topic of topics) expect(await kafkaTopic(admin, topic)).toBeDefined();
    const deployments = await eventually("the three Deployments", async () => {
      const list = await apps.listNamespacedDeployment({ namespace: watchedNs });
      return list.items.length === 3 ? list.items : undefined;
    });
    expect(deployments.map((d) => d.metadata?.name).sort()).toEqual([
      "orders-analytics",
      "orders-inventory",
      "orders-producer",
    ]);
    await eventually("the producer's Service", () =>
      core.readNamespacedService({ namespace: watchedNs, name: "orders-producer" }),
    );
    const events = await eventually("an Event about the pipeline", async () => {
      const list = await core.listNamespacedEvent({
        namespace: watchedNs,
        fieldSelector: "involvedObject.name=orders",
      });
      return list.items.length > 0 ? list.items : undefined;
    });
    expect(events[0]?.reportingComponent).toBe("streaming-orders-operator");
  });

  it("deletes the topics and lets the pipeline go (finalizer) when it is deleted", async () => {
    await deletePipeline(watchedNs, "orders");
    await eventually(
      "the pipeline to be gone",
      async () =>
        (await getPipeline(watchedNs, "orders").catch(() => undefined)) ? undefined : true,
      60_000,
    );
    for (const topic of topics) expect(await kafkaTopic(admin, topic)).toBeUndefined();
  });

  // [verb, group, resource (/subresource), name, where]
  it.each([
    ["list", "streaming-orders.io", "streamingpipelines", "", "watched"],
    ["patch", "streaming-orders.io", "streamingpipelines/status", "", "watched"],
    ["update", "streaming-orders.io", "streamingpipelines/finalizers", "", "watched"],
    ["create", "apps", "deployments", "", "watched"],
    ["delete", "", "services", "", "watched"],
    ["patch", "", "events", "", "watched"],
    ["get", "", "secrets", "kafka-ca", "watched"],
    ["get", "kafka.strimzi.io", "kafkas", "my-cluster", "watched"],
    ["create", "coordination.k8s.io", "leases", "", "release"],
    ["update", "coordination.k8s.io", "leases", "so-streaming-orders-operator", "release"],
  ] as const)("may %s %s %s %s in the %s namespace", async (verb, group, resource, name, where) => {
    expect(await allowed({ verb, group, resource, name, where })).toBe(true);
  });

  it.each([
    ["list", "", "secrets", "", "watched"],
    ["get", "", "pods", "", "watched"],
    ["create", "", "configmaps", "", "watched"],
    ["create", "streaming-orders.io", "streamingpipelines", "", "watched"],
    ["delete", "streaming-orders.io", "streamingpipelines", "orders", "watched"],
    ["update", "apps", "deployments", "orders-producer", "watched"],
    ["patch", "apps", "deployments/scale", "orders-producer", "watched"],
    ["get", "apps", "deployments", "", "other"],
    ["list", "streaming-orders.io", "streamingpipelines", "", "other"],
    ["get", "", "secrets", "kafka-ca", "release"],
    ["update", "coordination.k8s.io", "leases", "another-lease", "release"],
    ["list", "", "namespaces", "", "cluster"],
  ] as const)(
    "may not %s %s %s %s in the %s namespace",
    async (verb, group, resource, name, where) => {
      expect(await allowed({ verb, group, resource, name, where })).toBe(false);
    },
  );
});

/** Asks the API server's authorizer (a SubjectAccessReview) about the operator's ServiceAccount. */
async function allowed(q: {
  verb: string;
  group: string;
  resource: string;
  name: string;
  where: "watched" | "other" | "release" | "cluster";
}): Promise<boolean> {
  const [resource, subresource] = q.resource.split("/");
  const namespace = { watched: watchedNs, other: otherNs, release: releaseNs, cluster: undefined }[
    q.where
  ];
  const review = await testKubeConfig()
    .makeApiClient(k8s.AuthorizationV1Api)
    .createSubjectAccessReview({
      body: {
        spec: {
          user: serviceAccount(),
          groups: ["system:serviceaccounts", `system:serviceaccounts:${releaseNs}`],
          resourceAttributes: {
            verb: q.verb,
            group: q.group,
            resource,
            ...(subresource ? { subresource } : {}),
            ...(q.name ? { name: q.name } : {}),
            ...(namespace ? { namespace } : {}),
          },
        },
      },
    });
  return review.status?.allowed === true;
}

/** The operator container's environment as the kubelet would resolve it for one pod. */
function chartEnvironment(d: k8s.V1Deployment, namespace: string): Record<string, string> {
  const fields: Record<string, string> = {
    "metadata.name": "so-streaming-orders-operator-7d9f-abcde",
    "metadata.namespace": namespace,
  };
  const env: Record<string, string> = {};
  for (const e of d.spec?.template.spec?.containers[0]?.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    env[e.name] = field ? (fields[field] ?? "") : (e.value ?? "");
  }
  return env;
}

/** A kubeconfig for the test API server that authenticates as a ServiceAccount. */
async function serviceAccountKubeConfig(namespace: string, name: string): Promise<k8s.KubeConfig> {
  const admin = testKubeConfig();
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const token = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster();
  if (!cluster || !token.status?.token) throw new Error("no cluster or token");
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token: token.status.token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  return kc;
}
