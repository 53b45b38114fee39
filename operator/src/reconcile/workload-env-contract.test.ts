// The operator and the workloads meet only through environment variables. These tests read the
// Deployments the operator builds with the workloads' own config parsers, so a renamed variable
// on either side fails here instead of in a pod.
import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parseAnalyticsConfig } from "../../../workloads/src/config/analytics.js";
import type { Env } from "../../../workloads/src/config/env.js";
import { parseInventoryConfig } from "../../../workloads/src/config/inventory.js";
import { parseProducerConfig } from "../../../workloads/src/config/producer.js";
import { pipeline } from "../testing/pipeline-factory.js";
import { pipelineTopics } from "./desired-topics.js";
import { desiredDeployment, type WorkloadContext } from "./desired-workloads.js";

/** The environment a pod of `d` sees; Secret references resolve to `secret:<name>/<key>`. */
function podEnv(d: V1Deployment, podName: string): Env {
  const env: Record<string, string> = { HOSTNAME: podName };
  for (const e of d.spec?.template.spec?.containers[0]?.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    env[e.name] = e.value ?? `secret:${ref?.name}/${ref?.key}`;
  }
  return env;
}

const seed = pipeline({}, { name: "shop-orders" });
const consumerNamed = (name: string) => {
  const c = seed.spec.consumers.find((x) => x.name === name);
  if (!c) throw new Error(`the seed pipeline has a ${name} consumer`);
  return c;
};
const plaintext: WorkloadContext = {
  defaultImage: "streaming-orders:test",
  kafka: { bootstrapServers: "kafka-0.kafka:9092,kafka-1.kafka:9092" },
};

describe("the environment the operator gives each workload", () => {
  it("makes the producer write to the pipeline's order topic on the pipeline's brokers", () => {
    const d = desiredDeployment(seed, { kind: "producer" }, plaintext);
    const config = parseProducerConfig(podEnv(d, "shop-orders-producer-abc"));
    expect(config.kafka.brokers).toEqual(["kafka-0.kafka:9092", "kafka-1.kafka:9092"]);
    expect(config.ordersTopic).toBe(seed.spec.producer.topic);
    expect(config.port).toBe(seed.spec.producer.port);
  });

  it("gives inventory its group, its input and output topics, and a dead-letter topic the operator creates", () => {
    const inventory = consumerNamed("inventory");
    const d = desiredDeployment(
      seed,
      { kind: "consumer", consumer: inventory, replicas: 1 },
      plaintext,
    );
    const config = parseInventoryConfig(podEnv(d, "shop-orders-inventory-xyz"));
    expect(config.groupId).toBe(inventory.groupId);
    expect(config.ordersTopic).toBe(inventory.topics[0]);
    expect(config.inventoryTopic).toBe(inventory.outputTopic ?? "inventory-events");
    expect(config.port).toBe(inventory.port);
    const declared = pipelineTopics(seed.spec).map((t) => t.name);
    expect(declared).toContain(config.deadLetterTopic);
    expect(config.transactionalId).toContain("shop-orders-inventory-xyz");
  });

  it("gives analytics its group and both topics it reads", () => {
    const analytics = consumerNamed("analytics");
    const d = desiredDeployment(
      seed,
      { kind: "consumer", consumer: analytics, replicas: 1 },
      plaintext,
    );
    const config = parseAnalyticsConfig(podEnv(d, "shop-orders-analytics-xyz"));
    expect(config.groupId).toBe(analytics.groupId);
    expect([config.ordersTopic, config.inventoryTopic].sort()).toEqual(
      [...analytics.topics].sort(),
    );
    expect(config.port).toBe(analytics.port);
  });

  it("turns on TLS with the mounted CA and SASL from the Secret", () => {
    const secure: WorkloadContext = {
      ...plaintext,
      kafka: {
        bootstrapServers: "kafka:9093",
        tls: { ca: { name: "cluster-ca", key: "ca.crt" } },
        sasl: {
          mechanism: "scram-sha-512",
          username: "orders",
          password: { name: "orders-user", key: "password" },
        },
      },
    };
    const d = desiredDeployment(seed, { kind: "producer" }, secure);
    const { kafka } = parseProducerConfig(podEnv(d, "p"));
    const mounts = d.spec?.template.spec?.containers[0]?.volumeMounts ?? [];
    expect(kafka.ssl?.caFile).toBeDefined();
    expect(mounts.some((m) => kafka.ssl?.caFile?.startsWith(`${m.mountPath}/`))).toBe(true);
    expect(kafka.sasl).toEqual({
      mechanism: "scram-sha-512",
      username: "orders",
      password: "secret:orders-user/password",
    });
  });
});
