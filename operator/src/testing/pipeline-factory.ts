// Small factories for unit tests: the seed pipeline (examples/pipeline.yaml) with the CRD's
// defaults filled in, as the API server would store it.
import { API_VERSION, KIND } from "../api/constants.js";
import type {
  AutoscalingSpec,
  ConsumerSpec,
  StreamingPipeline,
  StreamingPipelineSpec,
} from "../api/types.js";

export const WEEK_MS = "604800000";

export function autoscaling(partial: Partial<AutoscalingSpec> = {}): AutoscalingSpec {
  return {
    enabled: true,
    minReplicas: 1,
    maxReplicas: 3,
    lagThreshold: 1000,
    catchUpSeconds: 60,
    scaleDownStabilizationSeconds: 300,
    syncPeriodSeconds: 10,
    capAtPartitionsWithLag: false,
    ...partial,
  };
}

export function consumer(partial: Partial<ConsumerSpec> & { name: string }): ConsumerSpec {
  return {
    role: "custom",
    topics: ["order-events"],
    replicas: 1,
    port: 8202,
    ...partial,
  };
}

export function seedSpec(): StreamingPipelineSpec {
  return {
    kafka: { bootstrapServers: "kafka.example:9092" },
    topics: [
      {
        name: "order-events",
        partitions: 3,
        replicationFactor: 1,
        config: { "retention.ms": WEEK_MS },
      },
      {
        name: "inventory-events",
        partitions: 3,
        replicationFactor: 1,
        config: { "retention.ms": WEEK_MS },
      },
    ],
    producer: { replicas: 1, port: 8201, topic: "order-events" },
    consumers: [
      consumer({
        name: "inventory",
        role: "inventory",
        groupId: "inventory-group",
        topics: ["order-events"],
        outputTopic: "inventory-events",
        autoscaling: autoscaling(),
      }),
      consumer({
        name: "analytics",
        role: "analytics",
        groupId: "analytics-group",
        topics: ["order-events", "inventory-events"],
        autoscaling: autoscaling(),
      }),
    ],
    topicDeletionPolicy: "Retain",
  };
}

export function pipeline(
  spec: Partial<StreamingPipelineSpec> = {},
  meta: Partial<StreamingPipeline["metadata"]> = {},
): StreamingPipeline {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: "orders",
      namespace: "shop",
      uid: "11111111-2222-3333-4444-555555555555",
      generation: 1,
      resourceVersion: "100",
      ...meta,
    },
    spec: { ...seedSpec(), ...spec },
  };
}
