import { describe, expect, it } from "vitest";
import type { ConsumerSpec } from "../api/types.js";
import {
  autoscaling as autoscalingSpec,
  consumer as consumerSpec,
} from "../testing/pipeline-factory.js";
import { consumerReplicas } from "./consumer-replicas.js";

const autoscaling = autoscalingSpec();
const consumer = (partial: Partial<ConsumerSpec> = {}) =>
  consumerSpec({ name: "inventory", role: "inventory", replicas: 2, ...partial });

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
