import { describe, expect, it } from "vitest";
import type { GroupLag } from "../kafka/lag-reader.js";
import { type PartitionReading, reading, T0 } from "../testing/lag-samples.js";
import { autoscaling } from "../testing/pipeline-factory.js";
import { type AdviseInput, Autoscaler } from "./autoscaler.js";

const spec = autoscaling({
  minReplicas: 1,
  maxReplicas: 5,
  lagThreshold: 1000,
  syncPeriodSeconds: 10,
});

function groupLag(seconds: number, partitions: readonly PartitionReading[], members = 1): GroupLag {
  const r = reading(seconds, partitions, { members });
  return {
    groupId: "inventory-group",
    state: members > 0 ? "Stable" : "Empty",
    members,
    observedAt: r.observedAt,
    partitions: [...r.partitions],
  };
}

function input(lag: GroupLag | undefined, partial: Partial<AdviseInput> = {}): AdviseInput {
  return {
    pipelineKey: "shop/orders",
    consumer: "inventory",
    groupId: "inventory-group",
    spec,
    lag,
    currentReplicas: 1,
    paused: false,
    ...partial,
  };
}

const three = (lagEach: number, end = 10_000): PartitionReading[] => [
  [end, end - lagEach],
  [end, end - lagEach],
  [end, end - lagEach],
];

describe("Autoscaler", () => {
  it("decides on the first reading, with the lag threshold until rates are known, capped at the partitions", () => {
    const scaler = new Autoscaler();
    const got = scaler.advise(input(groupLag(0, three(2000))));
    expect(got?.fresh).toBe(true);
    // ceil(6,000 / 1,000) = 6, but only 3 partitions.
    expect(got?.decision).toMatchObject({ replicas: 3, reason: "LagThresholdFallback" });
    expect(got?.from).toBe(1);
    expect(got?.observation.partitions).toHaveLength(3);
    expect(scaler.nextDueMs("shop/orders", T0)).toBe(10_000);
    expect(scaler.nextDueMs("shop/orders", T0 + 4_000)).toBe(6_000);
    expect(scaler.nextDueMs("shop/other", T0)).toBeUndefined();
  });

  it("keeps the last decision until the next sync is due, then takes a new reading", () => {
    const scaler = new Autoscaler();
    scaler.advise(input(groupLag(0, three(2000))));
    const early = scaler.advise(input(groupLag(5, three(0)), { currentReplicas: 3 }));
    expect(early).toMatchObject({ fresh: false, at: T0, decision: { replicas: 3 } });
    // 95% of the sync period counts as due: a timer firing a little early is not skipped.
    const due = scaler.advise(input(groupLag(9.5, three(2000, 10_500)), { currentReplicas: 3 }));
    expect(due).toMatchObject({ fresh: true, at: T0 + 9_500, from: 3 });
    expect(due?.observation.rates.known).toBe(true);
  });

  it("holds a Deployment it finds scaled up for a whole stabilization window after a (re)start", () => {
    const scaler = new Autoscaler();
    const got = scaler.advise(input(groupLag(0, three(0)), { currentReplicas: 3 }));
    expect(got?.decision).toMatchObject({ replicas: 3, reason: "HeldForStabilization" });
  });

  it("lets the policy hold the replicas while a replay owns the group, and learns nothing from it", () => {
    const scaler = new Autoscaler();
    const paused = scaler.advise(
      input(groupLag(0, three(5000), 0), { currentReplicas: 0, paused: true }),
    );
    expect(paused?.decision).toMatchObject({ replicas: 0, reason: "PausedForReplay" });
    expect(paused?.lastChangeAt).toBeUndefined();
  });

  it("keeps the last decision while Kafka cannot be read", () => {
    const scaler = new Autoscaler();
    scaler.advise(input(groupLag(0, three(2000))));
    expect(scaler.advise(input(undefined))).toMatchObject({ fresh: false, at: T0 });
    expect(new Autoscaler().advise(input(undefined))).toBeUndefined();
  });

  it("starts the readings over after a replay moved the offsets", () => {
    const scaler = new Autoscaler();
    scaler.advise(input(groupLag(0, three(0))));
    scaler.resetReadings("shop/orders", "inventory");
    expect(scaler.nextDueMs("shop/orders", T0)).toBeUndefined();
    const got = scaler.advise(input(groupLag(2, three(3000))));
    expect(got?.fresh).toBe(true);
    expect(got?.observation.rates.known).toBe(false);
  });

  it("remembers the last scaling change and reports when it was", () => {
    const scaler = new Autoscaler();
    const up = scaler.advise(input(groupLag(0, three(2000))));
    expect(up?.lastChangeAt).toBe(T0);
  });

  it("forgets consumers that no longer autoscale, and whole pipelines", () => {
    const scaler = new Autoscaler();
    scaler.advise(input(groupLag(0, three(0))));
    scaler.advise(
      input(groupLag(0, three(0)), { consumer: "analytics", groupId: "analytics-group" }),
    );
    scaler.forget("shop/orders", new Set(["analytics"]));
    expect(scaler.advise(input(groupLag(1, three(0))))?.fresh).toBe(true);
    scaler.forget("shop/orders");
    expect(scaler.nextDueMs("shop/orders", T0)).toBeUndefined();
  });
});
