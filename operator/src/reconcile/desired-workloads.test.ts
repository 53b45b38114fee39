import { describe, expect, it } from "vitest";
import { consumer, pipeline, seedSpec } from "../testing/pipeline-factory.js";
import {
  DEFAULT_RESOURCES,
  desiredDeployment,
  desiredProducerService,
  type WorkloadContext,
} from "./desired-workloads.js";

const ctx: WorkloadContext = {
  defaultImage: "streaming-orders/workloads:1.0",
  kafka: { bootstrapServers: "kafka.example:9092" },
};

function envOf(d: ReturnType<typeof desiredDeployment>): Record<string, string | undefined> {
  const env = d.spec?.template.spec?.containers[0]?.env ?? [];
  return Object.fromEntries(
    env.map((e) => [
      e.name,
      e.value ?? `secret:${e.valueFrom?.secretKeyRef?.name}/${e.valueFrom?.secretKeyRef?.key}`,
    ]),
  );
}

const seed = pipeline();
const inventory = seed.spec.consumers[0];
if (!inventory) throw new Error("seed has an inventory consumer");

describe("desiredDeployment", () => {
  it("builds the producer with the pipeline's settings as environment", () => {
    const d = desiredDeployment(seed, { kind: "producer" }, ctx);
    expect(d.metadata?.name).toBe("orders-producer");
    expect(d.metadata?.namespace).toBe("shop");
    expect(d.spec?.replicas).toBe(1);
    const c = d.spec?.template.spec?.containers[0];
    expect(c?.command).toEqual(["node", "dist/workloads/src/main.js", "producer"]);
    expect(c?.image).toBe("streaming-orders/workloads:1.0");
    expect(c?.ports).toEqual([{ name: "http", containerPort: 8201, protocol: "TCP" }]);
    expect(envOf(d)).toEqual({
      KAFKA_BOOTSTRAP_SERVERS: "kafka.example:9092",
      PIPELINE_NAME: "orders",
      ORDER_EVENTS_TOPIC: "order-events",
      INVENTORY_EVENTS_TOPIC: "inventory-events",
      KAFKA_CLIENT_ID: "orders-producer",
      PORT: "8201",
    });
  });

  it("builds a consumer with its group, topics, port and the replicas it is given", () => {
    const d = desiredDeployment(seed, { kind: "consumer", consumer: inventory, replicas: 2 }, ctx);
    expect(d.metadata?.name).toBe("orders-inventory");
    expect(d.spec?.replicas).toBe(2);
    expect(d.spec?.template.spec?.containers[0]?.command).toEqual([
      "node",
      "dist/workloads/src/main.js",
      "inventory",
    ]);
    expect(envOf(d)).toMatchObject({
      KAFKA_GROUP_ID: "inventory-group",
      CONSUMER_TOPICS: "order-events",
      PORT: "8202",
      KAFKA_CLIENT_ID: "orders-inventory",
    });
  });

  it("defaults a consumer's group id to <pipeline>-<consumer>", () => {
    const c = consumer({ name: "audit", command: ["node", "audit.js"] });
    const d = desiredDeployment(seed, { kind: "consumer", consumer: c, replicas: 1 }, ctx);
    expect(envOf(d).KAFKA_GROUP_ID).toBe("orders-audit");
    expect(d.spec?.template.spec?.containers[0]?.command).toEqual(["node", "audit.js"]);
  });

  it.each([
    {
      case: "the operator's image",
      spec: {},
      producer: {},
      want: "streaming-orders/workloads:1.0",
    },
    { case: "the pipeline's image", spec: { image: "p:2" }, producer: {}, want: "p:2" },
    {
      case: "the workload's own image",
      spec: { image: "p:2" },
      producer: { image: "w:3" },
      want: "w:3",
    },
  ])("uses $case", ({ spec, producer, want }) => {
    const p = pipeline({ ...spec, producer: { ...seedSpec().producer, ...producer } });
    const d = desiredDeployment(p, { kind: "producer" }, ctx);
    expect(d.spec?.template.spec?.containers[0]?.image).toBe(want);
  });

  it.each([
    {
      case: "IfNotPresent and no secrets by default",
      spec: {},
      defaults: {},
      policy: "IfNotPresent",
      secrets: undefined,
    },
    {
      case: "the operator's policy and secrets",
      spec: {},
      defaults: { defaultPullPolicy: "Always", defaultPullSecrets: ["regcred"] },
      policy: "Always",
      secrets: [{ name: "regcred" }],
    },
    {
      case: "the pipeline's policy and secrets over the operator's",
      spec: { imagePullPolicy: "Never", imagePullSecrets: [{ name: "shop-creds" }] },
      defaults: { defaultPullPolicy: "Always", defaultPullSecrets: ["regcred"] },
      policy: "Never",
      secrets: [{ name: "shop-creds" }],
    },
    {
      case: "none of the operator's secrets when the pipeline lists none",
      spec: { imagePullSecrets: [] },
      defaults: { defaultPullSecrets: ["regcred"] },
      policy: "IfNotPresent",
      secrets: undefined,
    },
  ] as const)("pulls with $case", ({ spec, defaults, policy, secrets }) => {
    const p = pipeline({
      ...spec,
      imagePullSecrets: spec.imagePullSecrets?.map((s) => ({ ...s })),
    });
    for (const workload of [
      { kind: "producer" } as const,
      { kind: "consumer", consumer: inventory, replicas: 1 } as const,
    ]) {
      const pod = desiredDeployment(p, workload, { ...ctx, ...defaults }).spec?.template.spec;
      expect(pod?.containers[0]?.imagePullPolicy).toBe(policy);
      expect(pod?.imagePullSecrets).toEqual(secrets);
    }
  });

  it("schedules every workload's pods as spec.pod says, and adds its annotations", () => {
    const p = pipeline({
      pod: {
        nodeSelector: { "kubernetes.io/os": "linux", pool: "streaming" },
        tolerations: [
          { key: "dedicated", operator: "Equal", value: "kafka", effect: "NoSchedule" },
        ],
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  topologyKey: "kubernetes.io/hostname",
                  labelSelector: { matchLabels: { "app.kubernetes.io/instance": "orders" } },
                },
              },
            ],
          },
        },
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
          },
        ],
        priorityClassName: "pipelines",
        annotations: { "sidecar.istio.io/inject": "false", "prometheus.io/scrape": "false" },
      },
    });
    for (const workload of [
      { kind: "producer" } as const,
      { kind: "consumer", consumer: inventory, replicas: 2 } as const,
    ]) {
      const template = desiredDeployment(p, workload, ctx).spec?.template;
      expect(template?.spec).toMatchObject({
        nodeSelector: p.spec.pod?.nodeSelector,
        tolerations: p.spec.pod?.tolerations,
        affinity: p.spec.pod?.affinity,
        topologySpreadConstraints: p.spec.pod?.topologySpreadConstraints,
        priorityClassName: "pipelines",
      });
      expect(template?.spec).not.toHaveProperty("annotations");
      expect(template?.metadata?.annotations).toMatchObject({
        "sidecar.istio.io/inject": "false",
        "prometheus.io/scrape": "false",
        "prometheus.io/path": "/metrics",
      });
    }
  });

  it("sets no scheduling fields when spec.pod is absent", () => {
    const podSpec = desiredDeployment(seed, { kind: "producer" }, ctx).spec?.template.spec;
    for (const field of ["nodeSelector", "tolerations", "affinity", "priorityClassName"]) {
      expect(podSpec).not.toHaveProperty(field);
    }
  });

  it("labels pods with the shared label set and selects on the stable subset", () => {
    const d = desiredDeployment(seed, { kind: "producer" }, ctx);
    expect(d.spec?.template.metadata?.labels).toEqual({
      "app.kubernetes.io/name": "streaming-orders",
      "app.kubernetes.io/instance": "orders",
      "app.kubernetes.io/component": "producer",
      "app.kubernetes.io/part-of": "streaming-orders",
      "app.kubernetes.io/managed-by": "streaming-orders-operator",
    });
    expect(d.spec?.selector.matchLabels).toEqual({
      "app.kubernetes.io/name": "streaming-orders",
      "app.kubernetes.io/instance": "orders",
      "app.kubernetes.io/component": "producer",
    });
  });

  it("is owned by the pipeline as its controller", () => {
    const d = desiredDeployment(seed, { kind: "producer" }, ctx);
    expect(d.metadata?.ownerReferences).toEqual([
      {
        apiVersion: "streaming-orders.io/v1alpha1",
        kind: "StreamingPipeline",
        name: "orders",
        uid: seed.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it("runs pods non-root, read-only, without capabilities, under RuntimeDefault seccomp", () => {
    const pod = desiredDeployment(seed, { kind: "producer" }, ctx).spec?.template.spec;
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("probes /ready for readiness and /health for liveness on the http port", () => {
    const c = desiredDeployment(seed, { kind: "producer" }, ctx).spec?.template.spec?.containers[0];
    expect(c?.readinessProbe?.httpGet).toEqual({ path: "/ready", port: "http" });
    expect(c?.livenessProbe?.httpGet).toEqual({ path: "/health", port: "http" });
  });

  it("uses the workload's resources, or small defaults", () => {
    const own = { requests: { cpu: "1" }, limits: { memory: "1Gi" } };
    const p = pipeline({ producer: { ...seedSpec().producer, resources: own } });
    expect(
      desiredDeployment(p, { kind: "producer" }, ctx).spec?.template.spec?.containers[0]?.resources,
    ).toEqual(own);
    expect(
      desiredDeployment(seed, { kind: "producer" }, ctx).spec?.template.spec?.containers[0]
        ?.resources,
    ).toEqual(DEFAULT_RESOURCES);
  });

  it("passes TLS and SASL settings as files and secret references, never values", () => {
    const d = desiredDeployment(
      seed,
      { kind: "producer" },
      {
        ...ctx,
        kafka: {
          bootstrapServers: "kafka:9093",
          tls: { ca: { name: "kafka-ca", key: "ca.pem" } },
          sasl: {
            mechanism: "scram-sha-512",
            username: { name: "kafka-user", key: "username" },
            password: { name: "kafka-user", key: "password" },
          },
        },
      },
    );
    expect(envOf(d)).toMatchObject({
      KAFKA_SSL: "true",
      KAFKA_SSL_CA_FILE: "/etc/streaming-orders/kafka-ca/ca.crt",
      KAFKA_SASL_MECHANISM: "scram-sha-512",
      KAFKA_SASL_USERNAME: "secret:kafka-user/username",
      KAFKA_SASL_PASSWORD: "secret:kafka-user/password",
    });
    expect(d.spec?.template.spec?.volumes).toContainEqual({
      name: "kafka-ca",
      secret: { secretName: "kafka-ca", items: [{ key: "ca.pem", path: "ca.crt" }] },
    });
  });
});

describe("desiredProducerService", () => {
  it("exposes the producer's port by name and selects its pods", () => {
    const s = desiredProducerService(seed);
    expect(s.metadata?.name).toBe("orders-producer");
    expect(s.spec?.ports).toEqual([
      { name: "http", port: 8201, targetPort: "http", protocol: "TCP" },
    ]);
    expect(s.spec?.selector?.["app.kubernetes.io/component"]).toBe("producer");
    expect(s.metadata?.ownerReferences?.[0]?.uid).toBe(seed.metadata.uid);
  });
});
