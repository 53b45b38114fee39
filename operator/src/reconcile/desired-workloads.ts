import type {
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1PodSpec,
  V1ResourceRequirements,
  V1Service,
  V1Volume,
  V1VolumeMount,
} from "@kubernetes/client-node";
import type {
  ConsumerSpec,
  ImagePullPolicy,
  PodSettings,
  ResourceRequirements,
  StreamingPipeline,
} from "../api/types.js";
import { type Component, labels, selectorLabels } from "./labels.js";
import {
  consumerGroupId,
  consumerName,
  deadLetterTopic,
  inventoryTopic,
  PRODUCER,
  producerName,
} from "./names.js";
import { ownerReference } from "./owner.js";
import type { WorkloadKafka } from "./workload-kafka.js";

/** What a pod needs beyond the pipeline itself. */
export interface WorkloadContext {
  /** The operator's workload image (OPERATOR_WORKLOAD_IMAGE); spec.image and per-workload images override it. */
  defaultImage: string;
  /** The operator's pull policy and pull secrets (from the chart); the pipeline's spec overrides them. */
  defaultPullPolicy?: ImagePullPolicy;
  defaultPullSecrets?: readonly string[];
  kafka: WorkloadKafka;
}

/** The producer, or one consumer with the replicas chosen for it (see consumerReplicas). */
export type Workload =
  | { kind: "producer" }
  | { kind: "consumer"; consumer: ConsumerSpec; replicas: number };

/** Where the compiled workloads live in the image; the role is the first argument. */
export const WORKLOAD_ENTRYPOINT = ["node", "dist/workloads/src/main.js"];
export const HTTP_PORT_NAME = "http";
const CA_MOUNT = "/etc/streaming-orders/kafka-ca";
const CA_FILE = "ca.crt";

/** Requests and limits for a workload that sets none: small, with a memory ceiling. */
export const DEFAULT_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: "50m", memory: "96Mi" },
  limits: { memory: "256Mi" },
};

/** The whole Deployment for one workload, ready for server-side apply. */
export function desiredDeployment(
  pipeline: StreamingPipeline,
  workload: Workload,
  ctx: WorkloadContext,
): V1Deployment {
  const w = describe(pipeline, workload, ctx);
  const { pod } = pipeline.spec;
  const podLabels = labels(pipeline, w.component);
  const volumes: V1Volume[] = [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }];
  const mounts: V1VolumeMount[] = [{ name: "tmp", mountPath: "/tmp" }];
  const ca = ctx.kafka.tls?.ca;
  if (ca) {
    volumes.push({
      name: "kafka-ca",
      secret: { secretName: ca.name, items: [{ key: ca.key, path: CA_FILE }] },
    });
    mounts.push({ name: "kafka-ca", mountPath: CA_MOUNT, readOnly: true });
  }
  const container: V1Container = {
    name: w.component,
    image: w.image,
    imagePullPolicy: pipeline.spec.imagePullPolicy ?? ctx.defaultPullPolicy ?? "IfNotPresent",
    command: w.command,
    env: [...kafkaEnv(ctx.kafka), ...w.env],
    ports: [{ name: HTTP_PORT_NAME, containerPort: w.port, protocol: "TCP" }],
    readinessProbe: {
      httpGet: { path: "/ready", port: HTTP_PORT_NAME },
      periodSeconds: 5,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: "/health", port: HTTP_PORT_NAME },
      initialDelaySeconds: 10,
      periodSeconds: 10,
      failureThreshold: 3,
    },
    resources: resources(w.resources),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    },
    volumeMounts: mounts,
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: w.name,
      namespace: pipeline.metadata.namespace,
      labels: podLabels,
      ownerReferences: [ownerReference(pipeline)],
    },
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: selectorLabels(pipeline, w.component) },
      template: {
        metadata: {
          labels: podLabels,
          annotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": String(w.port),
            "prometheus.io/path": "/metrics",
            ...pod?.annotations,
          },
        },
        spec: {
          ...pullSecrets(pipeline, ctx),
          ...scheduling(pod),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [container],
          volumes,
        },
      },
    },
  };
}

/** Where the pods may run and at what priority: what the pipeline sets beyond annotations. */
function scheduling(pod: PodSettings | undefined): Partial<V1PodSpec> {
  const { annotations: _, ...rest } = pod ?? {};
  return rest;
}

/** The pipeline's pull secrets, else the operator's; none when neither names any. */
function pullSecrets(
  pipeline: StreamingPipeline,
  ctx: WorkloadContext,
): { imagePullSecrets?: Array<{ name: string }> } {
  const secrets =
    pipeline.spec.imagePullSecrets ?? (ctx.defaultPullSecrets ?? []).map((name) => ({ name }));
  return secrets.length > 0 ? { imagePullSecrets: secrets.map(({ name }) => ({ name })) } : {};
}

/** The producer's Service: a stable address for POST /order. */
export function desiredProducerService(pipeline: StreamingPipeline): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: producerName(pipeline),
      namespace: pipeline.metadata.namespace,
      labels: labels(pipeline, PRODUCER),
      ownerReferences: [ownerReference(pipeline)],
    },
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(pipeline, PRODUCER),
      ports: [
        {
          name: HTTP_PORT_NAME,
          port: pipeline.spec.producer.port,
          targetPort: HTTP_PORT_NAME,
          protocol: "TCP",
        },
      ],
    },
  };
}

interface WorkloadShape {
  name: string;
  component: Component;
  image: string;
  command: string[];
  port: number;
  replicas: number;
  resources: ResourceRequirements | undefined;
  env: V1EnvVar[];
}

function describe(
  pipeline: StreamingPipeline,
  workload: Workload,
  ctx: WorkloadContext,
): WorkloadShape {
  const { spec } = pipeline;
  const common: V1EnvVar[] = [
    { name: "PIPELINE_NAME", value: pipeline.metadata.name },
    { name: "ORDER_EVENTS_TOPIC", value: spec.producer.topic },
    { name: "INVENTORY_EVENTS_TOPIC", value: inventoryTopic(pipeline) },
  ];
  if (workload.kind === "producer") {
    const { producer } = spec;
    return {
      name: producerName(pipeline),
      component: PRODUCER,
      image: producer.image ?? spec.image ?? ctx.defaultImage,
      command: [...WORKLOAD_ENTRYPOINT, PRODUCER],
      port: producer.port,
      replicas: producer.replicas,
      resources: producer.resources,
      env: [
        ...common,
        { name: "KAFKA_CLIENT_ID", value: producerName(pipeline) },
        { name: "PORT", value: String(producer.port) },
      ],
    };
  }
  const { consumer, replicas } = workload;
  return {
    name: consumerName(pipeline, consumer),
    component: consumer.name,
    image: consumer.image ?? spec.image ?? ctx.defaultImage,
    command:
      consumer.role === "custom" && consumer.command
        ? consumer.command
        : [...WORKLOAD_ENTRYPOINT, consumer.role],
    port: consumer.port,
    replicas,
    resources: consumer.resources,
    env: [
      ...common,
      { name: "KAFKA_CLIENT_ID", value: consumerName(pipeline, consumer) },
      { name: "KAFKA_GROUP_ID", value: consumerGroupId(pipeline, consumer) },
      { name: "CONSUMER_TOPICS", value: consumer.topics.join(",") },
      { name: "PORT", value: String(consumer.port) },
      ...deadLetterEnv(consumer),
    ],
  };
}

function deadLetterEnv(consumer: ConsumerSpec): V1EnvVar[] {
  const topic = deadLetterTopic(consumer);
  return topic ? [{ name: "DEAD_LETTER_TOPIC", value: topic }] : [];
}

/** KAFKA_* variables: the address, TLS and SASL; secrets stay in Secrets (secretKeyRef). */
export function kafkaEnv(kafka: WorkloadKafka): V1EnvVar[] {
  const env: V1EnvVar[] = [{ name: "KAFKA_BOOTSTRAP_SERVERS", value: kafka.bootstrapServers }];
  if (kafka.tls) {
    env.push({ name: "KAFKA_SSL", value: "true" });
    if (kafka.tls.ca) env.push({ name: "KAFKA_SSL_CA_FILE", value: `${CA_MOUNT}/${CA_FILE}` });
  }
  if (kafka.sasl) {
    env.push(
      { name: "KAFKA_SASL_MECHANISM", value: kafka.sasl.mechanism },
      typeof kafka.sasl.username === "string"
        ? { name: "KAFKA_SASL_USERNAME", value: kafka.sasl.username }
        : {
            name: "KAFKA_SASL_USERNAME",
            valueFrom: {
              secretKeyRef: { name: kafka.sasl.username.name, key: kafka.sasl.username.key },
            },
          },
      {
        name: "KAFKA_SASL_PASSWORD",
        valueFrom: {
          secretKeyRef: { name: kafka.sasl.password.name, key: kafka.sasl.password.key },
        },
      },
    );
  }
  return env;
}

function resources(spec: ResourceRequirements | undefined): V1ResourceRequirements {
  if (!spec || (!spec.requests && !spec.limits)) return DEFAULT_RESOURCES;
  const out: V1ResourceRequirements = {};
  if (spec.requests) out.requests = spec.requests;
  if (spec.limits) out.limits = spec.limits;
  return out;
}
