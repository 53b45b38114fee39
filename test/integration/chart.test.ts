import { readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { KubernetesObject, V1Deployment, V1Pod, V1Service } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/tools.js";
import {
  applyObjects,
  createNamespace,
  deleteNamespaces,
  installPipelineCrd,
  isServed,
} from "./chart/api-server.js";
import { metricNamesIn, metricsDefinedInSource } from "./chart/metric-names.js";
import {
  type ChartWorkspace,
  chartSource,
  chartWorkspace,
  ciValuesFiles,
  helmInstallDryRun,
  helmLint,
  helmTemplate,
  renderObjects,
} from "./chart/workspace.js";

const ciFiles = await ciValuesFiles();
const valueSets: Array<{ name: string; files: string[] }> = [
  { name: "default values", files: [] },
  ...ciFiles.map((f) => ({ name: `ci/${basename(f)}`, files: [f] })),
];

/** Kinds we render whose CRDs belong to other products and may be absent from the API server. */
const OPTIONAL_APIS = ["monitoring.coreos.com/v1", "kafka.strimzi.io/v1"];

let ws: ChartWorkspace;
const namespaces: string[] = [];

beforeAll(async () => {
  ws = await chartWorkspace();
  await installPipelineCrd(join(repoRoot, "crds/streamingpipeline.yaml"));
});

afterAll(async () => {
  await ws?.remove();
  await deleteNamespaces(namespaces);
});

const kindOf = (o: KubernetesObject) => `${o.apiVersion}/${o.kind}`;
const find = <T extends KubernetesObject>(objects: KubernetesObject[], kind: string) =>
  objects.filter((o) => o.kind === kind) as T[];

describe("the chart", () => {
  it("ships a byte-identical copy of crds/streamingpipeline.yaml", async () => {
    const source = await readFile(join(repoRoot, "crds/streamingpipeline.yaml"));
    const copy = await readFile(join(chartSource, "crds/streamingpipeline.yaml"));
    expect(
      copy.equals(source),
      "run: cp crds/streamingpipeline.yaml charts/streaming-orders/crds/",
    ).toBe(true);
  });

  it.each(valueSets)("passes helm lint --strict with $name", async ({ files }) => {
    const result = await helmLint(ws, { valuesFiles: files });
    expect(result.stderr + result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(result.code).toBe(0);
  });

  it.each(valueSets)(
    "renders $name into objects that all carry the chart's labels",
    async ({ files }) => {
      const objects = await renderObjects(ws, { release: "so", valuesFiles: files });
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects) {
        expect(o.metadata?.labels, `${o.kind} ${o.metadata?.name}`).toMatchObject({
          "app.kubernetes.io/name": "streaming-orders",
          "app.kubernetes.io/instance": "so",
          "app.kubernetes.io/component": expect.stringMatching(/^[a-z-]+$/),
          "app.kubernetes.io/part-of": "streaming-orders",
          "app.kubernetes.io/managed-by": "Helm",
          "app.kubernetes.io/version": "0.1.0",
          "helm.sh/chart": "streaming-orders-0.1.0",
        });
      }
    },
  );

  it.each(valueSets)(
    "renders $name into objects the API server accepts (server-side dry-run)",
    async ({ files }) => {
      const namespace = await createNamespace("chart");
      namespaces.push(namespace);
      // Watched namespaces must exist: map the file's names onto fresh ones.
      const values = files[0] ? (yaml.load(await readFile(files[0], "utf8")) as ValuesFile) : {};
      const watched = await Promise.all(
        (values.operator?.watchNamespaces ?? []).map(() => createNamespace("chart-watched")),
      );
      namespaces.push(...watched);
      const set = watched.length > 0 ? [`operator.watchNamespaces={${watched.join(",")}}`] : [];
      const objects = await renderObjects(ws, { namespace, valuesFiles: files, set });

      const served: KubernetesObject[] = [];
      for (const o of objects) {
        if (await isServed(o.apiVersion ?? "", o.kind ?? "")) served.push(o);
        else expect(OPTIONAL_APIS, `${kindOf(o)} is not served`).toContain(o.apiVersion);
      }
      expect(served.map((o) => o.kind)).toContain("Deployment");
      const result = await applyObjects(served, { dryRun: true });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split("\n")).toHaveLength(served.length);
    },
  );

  it("refuses a values file that breaks the schema, with the schema's message", async () => {
    const bad = join(ws.dir, "..", "bad-values.yaml");
    await writeFile(
      bad,
      yaml.dump({
        operator: { replicas: "two", logLevel: "loud" },
        kafka: { strimzi: { storage: { type: "nfs" } } },
        samplePipel1ne: { enabled: true },
        imagePullSecrets: [{ name: "Reg_Cred" }],
      }),
    );
    const result = await helmTemplate(ws, { valuesFiles: [bad] });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("values don't meet the specifications of the schema");
    expect(result.stderr).toContain("at '': additional properties 'samplePipel1ne' not allowed");
    expect(result.stderr).toContain("at '/operator/replicas': got string, want integer");
    expect(result.stderr).toContain(
      "at '/imagePullSecrets/0/name': 'Reg_Cred' does not match pattern",
    );
    expect(result.stderr).toContain(
      "at '/operator/logLevel': value must be one of 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'",
    );
    expect(result.stderr).toContain(
      "at '/kafka/strimzi/storage/type': value must be one of 'ephemeral', 'persistent-claim'",
    );
  });

  it("refuses kafka.mode external without bootstrapServers", async () => {
    const result = await helmTemplate(ws, { set: ["kafka.mode=external"] });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "at '/kafka/external/bootstrapServers': minLength: got 0, want 1",
    );
  });

  it("refuses more than one operator replica without leader election", async () => {
    const result = await helmTemplate(ws, {
      set: ["operator.replicas=2", "operator.leaderElection.enabled=false"],
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "operator.replicas above 1 needs operator.leaderElection.enabled",
    );
  });
});

describe("the operator Deployment", () => {
  it("runs one leader-elected replica with restricted security, probes and resources", async () => {
    const objects = await renderObjects(ws, { release: "so", namespace: "shop" });
    const [deployment] = find<V1Deployment>(objects, "Deployment");
    const pod = deployment?.spec?.template.spec;
    const container = pod?.containers[0];
    expect(deployment?.spec?.replicas).toBe(1);
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container?.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container?.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container?.resources?.requests).toEqual({ cpu: "50m", memory: "128Mi" });
    expect(container?.resources?.limits).toEqual({ memory: "384Mi" });
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      LEADER_ELECTION: "true",
      LEADER_ELECTION_NAMESPACE: "shop",
      LEADER_ELECTION_ID: "so-streaming-orders-operator",
      WATCH_NAMESPACES: "",
      OPERATOR_WORKLOAD_IMAGE: "streaming-orders:0.1.0",
      OPERATOR_WORKLOAD_IMAGE_PULL_POLICY: "IfNotPresent",
      OPERATOR_WORKLOAD_IMAGE_PULL_SECRETS: "",
    });
    expect(container?.image).toBe("streaming-orders:0.1.0");
    expect(container?.imagePullPolicy).toBe("IfNotPresent");
  });

  it("gives the workloads a separately set image, or the operator's own pinned by digest", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const pinned = await renderObjects(ws, { set: [`image.digest=${digest}`] });
    const separate = await renderObjects(ws, { set: ["operator.workloadImage=shop/workloads:7"] });
    const envOf = (objects: KubernetesObject[]) =>
      find<V1Deployment>(objects, "Deployment")[0]?.spec?.template.spec?.containers[0]?.env?.find(
        (e) => e.name === "OPERATOR_WORKLOAD_IMAGE",
      )?.value;
    expect(envOf(pinned)).toBe(`streaming-orders@${digest}`);
    expect(envOf(separate)).toBe("shop/workloads:7");
  });

  it("has the workloads pull as the operator does: the same pull policy and pull secrets", async () => {
    const objects = await renderObjects(ws, {
      set: [
        "image.pullPolicy=Always",
        "imagePullSecrets[0].name=regcred",
        "imagePullSecrets[1].name=mirror.creds",
      ],
    });
    const pod = find<V1Deployment>(objects, "Deployment")[0]?.spec?.template.spec;
    const env = Object.fromEntries((pod?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    expect(pod?.imagePullSecrets).toEqual([{ name: "regcred" }, { name: "mirror.creds" }]);
    expect(env.OPERATOR_WORKLOAD_IMAGE_PULL_POLICY).toBe("Always");
    expect(env.OPERATOR_WORKLOAD_IMAGE_PULL_SECRETS).toBe("regcred,mirror.creds");
  });
});

describe("the Strimzi Kafka", () => {
  it("is one ephemeral KRaft dual-role node by default", async () => {
    const objects = await renderObjects(ws, { release: "so" });
    const [pool] = find<StrimziObject>(objects, "KafkaNodePool");
    const [kafka] = find<StrimziObject>(objects, "Kafka");
    expect(pool?.metadata?.labels?.["strimzi.io/cluster"]).toBe("so-streaming-orders-kafka");
    expect(pool?.spec).toMatchObject({
      replicas: 1,
      roles: ["controller", "broker"],
      storage: { type: "jbod", volumes: [{ id: 0, type: "ephemeral", kraftMetadata: "shared" }] },
    });
    expect(kafka?.metadata?.name).toBe("so-streaming-orders-kafka");
    expect(kafka?.spec?.kafka).toMatchObject({
      version: "4.3.1",
      config: { "auto.create.topics.enable": false, "offsets.topic.replication.factor": 1 },
    });
  });

  it("keeps its data on claims and replicates to three nodes when asked", async () => {
    const file = ciFiles.find((f) => f.endsWith("strimzi-persistent-values.yaml")) ?? "";
    const objects = await renderObjects(ws, { valuesFiles: [file] });
    const [pool] = find<StrimziObject>(objects, "KafkaNodePool");
    const [kafka] = find<StrimziObject>(objects, "Kafka");
    expect(pool?.spec?.storage).toEqual({
      type: "jbod",
      volumes: [
        {
          id: 0,
          type: "persistent-claim",
          size: "50Gi",
          class: "standard",
          deleteClaim: false,
          kraftMetadata: "shared",
        },
      ],
    });
    expect(kafka?.spec?.kafka?.config).toMatchObject({
      "default.replication.factor": 3,
      "min.insync.replicas": 2,
      "log.retention.hours": 168,
    });
  });

  it("is not rendered for an external Kafka, whose Secrets the sample pipeline names", async () => {
    const file = ciFiles.find((f) => f.endsWith("external-kafka-values.yaml")) ?? "";
    const objects = await renderObjects(ws, { valuesFiles: [file] });
    expect(objects.filter((o) => o.apiVersion?.startsWith("kafka.strimzi.io"))).toEqual([]);
    const [pipeline] = find<StrimziObject>(objects, "StreamingPipeline");
    expect(pipeline?.spec?.kafka).toEqual({
      bootstrapServers: "kafka-0.kafka.example.internal:9093,kafka-1.kafka.example.internal:9093",
      tls: { caSecretRef: { name: "kafka-ca", key: "ca.crt" } },
      sasl: {
        mechanism: "scram-sha-512",
        username: "orders-pipeline",
        secretRef: {
          name: "kafka-orders-pipeline",
          usernameKey: "username",
          passwordKey: "password",
        },
      },
    });
  });

  it("declares the Strimzi operator as a dependency behind strimzi.install", async () => {
    const chart = yaml.load(await readFile(join(chartSource, "Chart.yaml"), "utf8")) as {
      dependencies: unknown[];
    };
    expect(chart.dependencies).toEqual([
      {
        name: "strimzi-kafka-operator",
        version: "1.2.0",
        repository: "https://strimzi.io/charts/",
        condition: "strimzi.install",
      },
    ]);
    const values = yaml.load(await readFile(join(chartSource, "values.yaml"), "utf8")) as {
      strimzi: { install: boolean };
    };
    expect(values.strimzi.install).toBe(false);
  });
});

describe("RBAC", () => {
  it("is one ClusterRole by default and only Roles in the watched namespaces otherwise", async () => {
    const cluster = await renderObjects(ws, { namespace: "ops" });
    const scoped = await renderObjects(ws, {
      namespace: "ops",
      set: ["operator.watchNamespaces={team-a,team-b}", "rbac.aggregateToDefaultRoles=false"],
    });
    const rolesOf = (objects: KubernetesObject[]) =>
      objects
        .filter((o) => o.kind?.endsWith("Role"))
        .map((o) => `${o.kind} ${o.metadata?.namespace ?? "-"}/${o.metadata?.name}`)
        .sort();
    expect(rolesOf(cluster)).toEqual([
      "ClusterRole -/so-streaming-orders-edit",
      "ClusterRole -/so-streaming-orders-operator",
      "ClusterRole -/so-streaming-orders-view",
      "Role ops/so-streaming-orders-operator-leader-election",
    ]);
    expect(rolesOf(scoped)).toEqual([
      "Role ops/so-streaming-orders-operator-kafka-reader",
      "Role ops/so-streaming-orders-operator-leader-election",
      "Role team-a/so-streaming-orders-operator",
      "Role team-b/so-streaming-orders-operator",
    ]);
    expect(scoped.filter((o) => o.kind?.startsWith("Cluster"))).toEqual([]);
    // The same rules either way.
    const rules = (objects: KubernetesObject[], kind: string) =>
      (
        objects.find(
          (o) => o.kind === kind && o.metadata?.name === "so-streaming-orders-operator",
        ) as {
          rules: unknown;
        }
      ).rules;
    expect(rules(scoped, "Role")).toEqual(rules(cluster, "ClusterRole"));
  });
});

describe("monitoring", () => {
  const monitoringFile = () => ciFiles.find((f) => f.endsWith("monitoring-values.yaml")) ?? "";

  it("alerts on lag high for 5 minutes, a stalled or stopped group, dead letters and reconcile errors", async () => {
    const objects = await renderObjects(ws, { set: ["metrics.prometheusRule.enabled=true"] });
    const [rule] = find<PrometheusRule>(objects, "PrometheusRule");
    const alerts = rule?.spec.groups.flatMap((g) => g.rules) ?? [];
    expect(alerts.map((a) => [a.alert, a.for])).toEqual([
      ["StreamingOrdersConsumerLagHigh", "5m"],
      ["StreamingOrdersConsumerGroupStalled", "2m"],
      ["StreamingOrdersDeadLettersGrowing", undefined],
      ["StreamingOrdersReconcileErrors", "10m"],
    ]);
    expect(alerts[1]?.expr).toContain("(streaming_orders_consumer_group_health) >= 2");
  });

  it("uses only metrics that the operator and the workloads export", async () => {
    const objects = await renderObjects(ws, { valuesFiles: [monitoringFile()] });
    const [rule] = find<PrometheusRule>(objects, "PrometheusRule");
    const [dashboard] = find<KubernetesObject & { data: Record<string, string> }>(
      objects,
      "ConfigMap",
    );
    const exprs = [
      ...(rule?.spec.groups.flatMap((g) => g.rules.map((r) => r.expr)) ?? []),
      ...dashboardExprs(dashboard?.data["streaming-orders.json"] ?? "{}"),
    ];
    const used = metricNamesIn(exprs);
    expect(used).toEqual(
      new Set([
        "streaming_orders_consumer_group_lag",
        "streaming_orders_consumer_group_health",
        "streaming_orders_consumer_desired_replicas",
        "streaming_orders_consumer_ready_replicas",
        "streaming_orders_consumer_production_rate",
        "streaming_orders_consumer_consumption_rate",
        "streaming_orders_reconcile_errors_total",
        "inventory_dead_lettered_total",
        "inventory_processed_total",
        "analytics_orders_per_minute",
        "analytics_throughput_events_per_second",
        "orders_accepted_total",
      ]),
    );
    const defined = await metricsDefinedInSource();
    expect([...used].filter((m) => !defined.has(m))).toEqual([]);
  });

  it("scrapes the operator and every workload pod, labelled with its pipeline", async () => {
    const objects = await renderObjects(ws, { valuesFiles: [monitoringFile()] });
    const kinds = objects.map((o) => o.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["ServiceMonitor", "PodMonitor", "PrometheusRule", "ConfigMap"]),
    );
    const [podMonitor] = find<KubernetesObject & { spec: Record<string, unknown> }>(
      objects,
      "PodMonitor",
    );
    expect(podMonitor?.spec).toMatchObject({
      namespaceSelector: { any: true },
      selector: { matchLabels: { "app.kubernetes.io/managed-by": "streaming-orders-operator" } },
    });
  });
});

describe("helm test", () => {
  it("sends orders to the producer and sums what every analytics pod counted", async () => {
    const objects = await renderObjects(ws, {
      namespace: "shop",
      set: ["samplePipeline.enabled=true"],
    });
    const hooks = objects.filter((o) => o.metadata?.annotations?.["helm.sh/hook"] === "test");
    // A Pod: `helm test --logs` prints the logs of Pod hooks only.
    expect(hooks.map((o) => o.kind).sort()).toEqual(["ConfigMap", "Pod", "Service"]);
    const [service] = find<V1Service>(hooks, "Service");
    expect(service?.spec?.clusterIP).toBe("None");
    expect(service?.spec?.selector).toEqual({
      "app.kubernetes.io/name": "streaming-orders",
      "app.kubernetes.io/instance": "orders",
      "app.kubernetes.io/component": "analytics",
      "app.kubernetes.io/managed-by": "streaming-orders-operator",
    });
    const [testPod] = find<V1Pod>(hooks, "Pod");
    const pod = testPod?.spec;
    const container = pod?.containers[0];
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(container?.command).toEqual(["node", "/helm-test/check-orders.mjs"]);
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      PRODUCER_URL: "http://orders-producer.shop:8201",
      ANALYTICS_HOST: "so-streaming-orders-test-analytics.shop",
      ANALYTICS_PORT: "8202",
    });
  });

  it("is not rendered when there is no pipeline to test", async () => {
    const objects = await renderObjects(ws);
    expect(objects.filter((o) => o.metadata?.annotations?.["helm.sh/hook"])).toEqual([]);
  });
});

describe("NOTES.txt", () => {
  it("tells how to send an order, watch lag, replay a group and run helm test", async () => {
    const file = ciFiles.find((f) => f.endsWith("sample-pipeline-values.yaml")) ?? "";
    const result = await helmInstallDryRun(ws, { namespace: "shop", valuesFiles: [file] });
    expect(result.code).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf("NOTES:"));
    expect(notes).toContain("kubectl -n shop port-forward svc/orders-producer 8201:8201");
    expect(notes).toContain("curl -s -XPOST localhost:8201/order");
    expect(notes).toContain("kubectl -n shop get sp orders -w");
    expect(notes).toContain(
      "kubectl -n shop annotate sp/orders streaming-orders.io/replay=analytics:earliest",
    );
    expect(notes).toContain("helm test so -n shop --logs");
  });
});

function dashboardExprs(json: string): string[] {
  const dashboard = JSON.parse(json) as { panels?: Array<{ targets?: Array<{ expr: string }> }> };
  return (dashboard.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

interface ValuesFile {
  operator?: { watchNamespaces?: string[] };
}

type StrimziObject = KubernetesObject & {
  spec?: Record<string, unknown> & { kafka?: Record<string, unknown> & { config?: object } };
};

type PrometheusRule = KubernetesObject & {
  spec: { groups: Array<{ rules: Array<{ alert: string; expr: string; for?: string }> }> };
};
