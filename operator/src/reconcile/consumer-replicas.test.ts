import { describe, expect, it } from "vitest";
import type { AutoscalingSpec, ConsumerSpec } from "../api/types.js";
import { consumerReplicas } from "./consumer-replicas.js";

const autoscaling: AutoscalingSpec = {
  enabled: true,
  minReplicas: 1,
  maxReplicas: 3,
  lagThreshold: 1000,
  catchUpSeconds: 60,
  scaleDownStabilizationSeconds: 300,
  syncPeriodSeconds: 10,
  capAtPartitionsWithLag: false,
};

function consumer(partial: Partial<ConsumerSpec> = {}): ConsumerSpec {
  return {
    name: "inventory",
    role: "inventory",
    topics: ["order-events"],
    replicas: 2,
    port: 8202,
    ...partial,
  };
}

describe("consumerReplicas", () => {
  it.each([
    {
      case: "autoscaling off: the spec's replicas",
      spec: consumer(),
      current: 5,
      decision: 3,
      want: 2,
    },
    {
      case: "autoscaling disabled explicitly: the spec's replicas",
      spec: consumer({ autoscaling: { ...autoscaling, enabled: false } }),
      current: 3,
      decision: undefined,
      want: 2,
    },
    {
      case: "a new Deployment starts at minReplicas",
      spec: consumer({ autoscaling }),
      current: undefined,
      decision: undefined,
      want: 1,
    },
    {
      case: "an existing Deployment keeps its replicas until the autoscaler decides",
      spec: consumer({ autoscaling }),
      current: 2,
      decision: undefined,
      want: 2,
    },
    {
      case: "the autoscaler's decision wins",
      spec: consumer({ autoscaling }),
      current: 1,
      decision: 3,
      want: 3,
    },
    {
      case: "current replicas above a lowered maxReplicas are clamped",
      spec: consumer({ autoscaling }),
      current: 7,
      decision: undefined,
      want: 3,
    },
    {
      case: "a decision below minReplicas is clamped",
      spec: consumer({ autoscaling: { ...autoscaling, minReplicas: 2 } }),
      current: 2,
      decision: 0,
      want: 2,
    },
  ])("$case", ({ spec, current, decision, want }) => {
    expect(
      consumerReplicas(
        spec,
        current,
        decision === undefined ? undefined : { replicas: decision, reason: "test" },
      ),
    ).toBe(want);
  });
});
