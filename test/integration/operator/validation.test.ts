import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamingPipeline } from "../../../operator/src/api/types.js";
import {
  createNamespace,
  createPipeline,
  deleteNamespace,
  examplePipeline,
  installCrd,
  refusal,
} from "./harness.js";

// The API server validates pipelines with the CRD's schema and CEL rules; no operator is needed.
let namespace: string;

beforeAll(async () => {
  await installCrd();
  namespace = await createNamespace("op-valid");
});

afterAll(async () => {
  await deleteNamespace(namespace);
});

function seed(edit: (p: StreamingPipeline) => void): StreamingPipeline {
  const p = examplePipeline(namespace, "valid");
  edit(p);
  return p;
}

describe("the API server rejects a bad StreamingPipeline with a message naming the problem", () => {
  it.each<{ case: string; edit: (p: StreamingPipeline) => void; message: string }>([
    {
      case: "two consumers in one group",
      edit: (p) => {
        const analytics = p.spec.consumers[1];
        if (analytics) analytics.groupId = "inventory-group";
      },
      message:
        'spec.consumers: Invalid value: "array": groupId inventory-group is used by more than one consumer: each consumer needs its own group',
    },
    {
      case: "a consumer reading an undeclared topic",
      edit: (p) => {
        const analytics = p.spec.consumers[1];
        if (analytics) analytics.topics = [...analytics.topics, "payments"];
      },
      message:
        "consumer analytics reads topic payments, which is not declared in spec.topics (every topic a consumer reads must be declared)",
    },
    {
      case: "a producer writing to an undeclared topic",
      edit: (p) => {
        p.spec.producer.topic = "orders-v2";
      },
      message:
        'spec.producer.topic: Invalid value: "object": producer.topic orders-v2 must be declared in spec.topics',
    },
    {
      case: "two consumers with one name",
      edit: (p) => {
        const analytics = p.spec.consumers[1];
        if (analytics) analytics.name = "inventory";
      },
      message: 'spec.consumers[1]: Duplicate value: {"name":"inventory"}',
    },
    {
      case: "both bootstrapServers and clusterRef",
      edit: (p) => {
        p.spec.kafka.clusterRef = { name: "my-cluster" };
      },
      message:
        'spec.kafka: Invalid value: "object": set exactly one of kafka.bootstrapServers and kafka.clusterRef',
    },
    {
      case: "maxReplicas below minReplicas",
      edit: (p) => {
        const scaling = p.spec.consumers[0]?.autoscaling;
        if (scaling) scaling.minReplicas = 5;
      },
      message: "autoscaling.maxReplicas must be greater than or equal to minReplicas",
    },
    {
      case: "partitions out of bounds",
      edit: (p) => {
        const t = p.spec.topics[0];
        if (t) t.partitions = 1001;
      },
      message:
        "spec.topics[0].partitions: Invalid value: 1001: spec.topics[0].partitions in body should be less than or equal to 1000",
    },
    {
      case: "a topic name Kafka would refuse",
      edit: (p) => {
        const t = p.spec.topics[0];
        if (t) t.name = "orders/v2";
      },
      message:
        'spec.topics[0].name: Invalid value: "orders/v2": spec.topics[0].name in body should match',
    },
    {
      case: "a custom consumer without a command",
      edit: (p) => {
        const c = p.spec.consumers[1];
        if (c) c.role = "custom";
      },
      message: 'spec.consumers[1]: Invalid value: "object": a custom consumer needs a command',
    },
    {
      case: "an unknown image pull policy",
      edit: (p) => {
        p.spec.imagePullPolicy = "always" as StreamingPipeline["spec"]["imagePullPolicy"];
      },
      message:
        'spec.imagePullPolicy: Unsupported value: "always": supported values: "Always", "IfNotPresent", "Never"',
    },
    {
      case: "a pull secret name that is no Secret name",
      edit: (p) => {
        p.spec.imagePullSecrets = [{ name: "Reg_Cred" }];
      },
      message: 'spec.imagePullSecrets[0].name: Invalid value: "Reg_Cred"',
    },
  ])("$case", async ({ edit, message }) => {
    const { code, message: got } = await refusal(createPipeline(seed(edit)));
    expect(code).toBe(422);
    expect(got).toContain(message);
  });
});
