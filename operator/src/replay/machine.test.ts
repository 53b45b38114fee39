import { describe, expect, it } from "vitest";
import type { ReplayStatus } from "../api/types.js";
import type { PartitionOffsets } from "../kafka/lag.js";
import { autoscaling, consumer } from "../testing/pipeline-factory.js";
import {
  advanceReplay,
  isActive,
  type OffsetPlan,
  planOffsets,
  type ReplayObservation,
  replayCondition,
  replayReplicas,
  restoreTarget,
  startReplay,
} from "./machine.js";

const T = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (s: number) => new Date(T + s * 1000).toISOString();
const TIMEOUT = 60_000;

const plan: OffsetPlan = {
  partitions: [
    { topic: "orders", partition: 0, before: 100, after: 0 },
    { topic: "orders", partition: 1, before: null, after: 0 },
  ],
  eventsToReprocess: 100,
  eventsSkipped: 0,
};

const started = startReplay({
  request: "analytics:earliest",
  consumer: "analytics",
  groupId: "analytics-group",
  target: "earliest",
  restoreReplicas: 2,
  now: at(0),
});

function state(partial: Partial<ReplayStatus>): ReplayStatus {
  return { ...started, ...partial };
}

function seen(partial: Partial<ReplayObservation> = {}): ReplayObservation {
  return {
    now: T + 10_000,
    consumerInSpec: true,
    deploymentReplicas: 0,
    restoreTo: 2,
    annotationHoldsRequest: true,
    ...partial,
  };
}

const empty = { state: "Empty", members: 0 };
const moved = [
  { topic: "orders", partition: 0, committed: 0 },
  { topic: "orders", partition: 1, committed: 0 },
];

describe("startReplay", () => {
  it("records the request and starts by scaling the consumer down", () => {
    expect(started).toEqual({
      request: "analytics:earliest",
      consumer: "analytics",
      groupId: "analytics-group",
      target: "earliest",
      phase: "ScalingDown",
      message:
        "scaling analytics from 2 replicas to 0 before moving group analytics-group to earliest",
      requestedAt: at(0),
      restoreReplicas: 2,
    });
    expect(isActive(started)).toBe(true);
  });
});

describe("advanceReplay", () => {
  const waiting = state({ phase: "WaitingForEmptyGroup", waitingSince: at(0) });
  const moving = state({
    phase: "MovingOffsets",
    waitingSince: at(0),
    partitions: plan.partitions,
    eventsToReprocess: 100,
    eventsSkipped: 0,
  });
  const scalingUp = state({ ...moving, phase: "ScalingUp" });
  const finishing = state({ ...moving, phase: "Finishing" });

  it.each<{
    case: string;
    from: ReplayStatus;
    obs: Partial<ReplayObservation>;
    phase: string | undefined;
    reason?: string;
  }>([
    {
      case: "waits while the Deployment still has replicas",
      from: started,
      obs: { deploymentReplicas: 2 },
      phase: undefined,
    },
    {
      case: "waits for the group once the Deployment is at 0",
      from: started,
      obs: {},
      phase: "WaitingForEmptyGroup",
    },
    {
      case: "goes on when there is no Deployment to scale",
      from: started,
      obs: { deploymentReplicas: undefined },
      phase: "WaitingForEmptyGroup",
    },
    {
      case: "keeps waiting while the group has members",
      from: waiting,
      obs: { group: { state: "Stable", members: 1 } },
      phase: "WaitingForEmptyGroup",
    },
    {
      case: "moves the offsets once the group is empty",
      from: waiting,
      obs: { group: empty, plan },
      phase: "MovingOffsets",
    },
    {
      case: "moves the offsets of a group Kafka never heard of (Dead)",
      from: waiting,
      obs: { group: { state: "Dead", members: 0 }, plan },
      phase: "MovingOffsets",
    },
    {
      case: "gives up when members linger past the timeout, and scales back",
      from: waiting,
      obs: { now: T + 61_000, group: { state: "Stable", members: 2 } },
      phase: "ScalingUp",
      reason: "MembersLingering",
    },
    {
      case: "gives up when the group cannot be read past the timeout",
      from: waiting,
      obs: { now: T + 61_000 },
      phase: "ScalingUp",
      reason: "GroupUnreadable",
    },
    {
      case: "waits (nothing to write) while the offsets are not where planned",
      from: moving,
      obs: { group: empty, committed: [{ topic: "orders", partition: 0, committed: 100 }] },
      phase: undefined,
    },
    {
      case: "scales back once every planned offset is committed",
      from: moving,
      obs: { group: empty, committed: moved },
      phase: "ScalingUp",
    },
    {
      case: "waits again when a member joined before the offsets moved",
      from: moving,
      obs: { group: { state: "Stable", members: 1 } },
      phase: "WaitingForEmptyGroup",
    },
    {
      case: "gives up when the offsets could not be moved in time",
      from: moving,
      obs: { now: T + 61_000, group: empty, moveError: "REBALANCE_IN_PROGRESS" },
      phase: "ScalingUp",
      reason: "OffsetMoveFailed",
    },
    {
      case: "stops without moving anything when the consumer left the spec",
      from: waiting,
      obs: { consumerInSpec: false },
      phase: "Finishing",
      reason: "ConsumerRemoved",
    },
    {
      case: "waits while the Deployment is not back yet",
      from: scalingUp,
      obs: { deploymentReplicas: 0 },
      phase: undefined,
    },
    {
      case: "removes the annotation once the Deployment is back",
      from: scalingUp,
      obs: { deploymentReplicas: 2 },
      phase: "Finishing",
    },
    {
      case: "waits while the annotation still holds the request",
      from: finishing,
      obs: { deploymentReplicas: 2 },
      phase: undefined,
    },
    {
      case: "completes once the annotation is gone",
      from: finishing,
      obs: { deploymentReplicas: 2, annotationHoldsRequest: false },
      phase: "Completed",
    },
    {
      case: "ends as Failed after a failure, once the annotation is gone",
      from: state({ ...finishing, failure: { reason: "MembersLingering", message: "m" } }),
      obs: { annotationHoldsRequest: false },
      phase: "Failed",
      reason: "MembersLingering",
    },
    {
      case: "does nothing once completed",
      from: state({ ...finishing, phase: "Completed" }),
      obs: {},
      phase: undefined,
    },
  ])("$case", ({ from, obs, phase, reason }) => {
    const next = advanceReplay(from, seen(obs), TIMEOUT);
    expect(next?.phase).toBe(phase);
    if (reason) expect(next?.failure?.reason).toBe(reason);
    else expect(next?.failure).toBeUndefined();
  });

  it("records the plan, the wait's start and the completion with the numbers", () => {
    const w = advanceReplay(started, seen({ now: T + 1000 }), TIMEOUT);
    expect(w).toMatchObject({
      waitingSince: at(1),
      message: "analytics is at 0 replicas; waiting for group analytics-group to have no members",
    });
    const m = advanceReplay(waiting, seen({ group: empty, plan }), TIMEOUT);
    expect(m).toMatchObject({
      partitions: plan.partitions,
      eventsToReprocess: 100,
      eventsSkipped: 0,
      message: "moving group analytics-group to earliest on 2 partitions: 100 events to reprocess",
    });
    const up = advanceReplay(moving, seen({ group: empty, committed: moved }), TIMEOUT);
    expect(up?.message).toBe(
      "moved group analytics-group to earliest: 100 events to reprocess; scaling analytics back to 2 replicas",
    );
    const done = advanceReplay(
      finishing,
      seen({ now: T + 20_000, deploymentReplicas: 2, annotationHoldsRequest: false }),
      TIMEOUT,
    );
    expect(done).toMatchObject({
      phase: "Completed",
      completedAt: at(20),
      message:
        "replayed analytics from earliest: group analytics-group moved on 2 partitions, 100 events to reprocess; back at 2 replicas",
    });
  });

  it("says who lingers, and updates the waiting message only when it changes", () => {
    const obs = seen({ now: T + 30_000, group: { state: "Stable", members: 2 } });
    const next = advanceReplay(waiting, obs, TIMEOUT);
    expect(next?.message).toBe(
      "analytics is at 0 replicas; waiting for group analytics-group to have no members (2 members, state Stable after 30 s)",
    );
    expect(next && advanceReplay(next, obs, TIMEOUT)).toBeUndefined();
    const gaveUp = advanceReplay(
      waiting,
      seen({ now: T + 61_000, group: { state: "Stable", members: 2 } }),
      TIMEOUT,
    );
    expect(gaveUp?.failure?.message).toBe(
      "group analytics-group still has 2 members, state Stable 61 s after analytics was scaled to 0 (another deployment or a stuck pod consumes with the same group id?); offsets not moved",
    );
  });
});

describe("replayReplicas and restoreTarget", () => {
  it.each<[string | undefined, number | undefined]>([
    ["ScalingDown", 0],
    ["WaitingForEmptyGroup", 0],
    ["MovingOffsets", 0],
    ["ScalingUp", 2],
    ["Finishing", 2],
    ["Completed", undefined],
    ["Failed", undefined],
    [undefined, undefined],
  ])("holds the consumer in %s at %s", (phase, want) => {
    const replay = phase ? state({ phase: phase as ReplayStatus["phase"] }) : undefined;
    expect(replayReplicas(replay, 2)).toBe(want);
  });

  it.each([
    { case: "autoscaled: the replicas it had", restore: 2, spec: autoscaling(), want: 2 },
    {
      case: "autoscaled: within maxReplicas",
      restore: 5,
      spec: autoscaling({ maxReplicas: 3 }),
      want: 3,
    },
    {
      case: "autoscaled: within minReplicas",
      restore: 0,
      spec: autoscaling({ minReplicas: 1 }),
      want: 1,
    },
    { case: "not autoscaled: the spec's replicas", restore: 2, spec: undefined, want: 4 },
  ])("scales back to $case", ({ restore, spec, want }) => {
    const c = consumer({ name: "analytics", replicas: 4, ...(spec ? { autoscaling: spec } : {}) });
    expect(restoreTarget(state({ restoreReplicas: restore }), c)).toBe(want);
  });
});

describe("replayCondition", () => {
  it.each([
    [state({}), "Unknown", "ScalingDown"],
    [
      state({ phase: "ScalingUp", failure: { reason: "MembersLingering", message: "m" } }),
      "Unknown",
      "MembersLingering",
    ],
    [state({ phase: "Completed", message: "done" }), "True", "ReplayCompleted"],
    [
      state({ phase: "Failed", failure: { reason: "MembersLingering", message: "m" } }),
      "False",
      "MembersLingering",
    ],
  ] as const)("%#: %s / %s", (replay, status, reason) => {
    expect(replayCondition(replay)).toMatchObject({ type: "Replay", status, reason });
  });
});

describe("planOffsets", () => {
  const p = (
    partition: number,
    logStart: number,
    logEnd: number,
    committed: number | null,
  ): PartitionOffsets => ({
    topic: "orders",
    partition,
    logStart,
    logEnd,
    committed,
  });
  const offsets = [p(0, 0, 100, 100), p(1, 20, 80, 50), p(2, 0, 40, null), p(3, 30, 60, 10)];

  it.each([
    {
      target: "earliest",
      reset: "earliest" as const,
      after: [0, 20, 0, 30],
      // 100 on p0, 30 on p1; p2 never committed (earliest reads it all anyway); p3's commit is
      // below the log start, so it would read from 30 already.
      reprocess: 130,
      skipped: 0,
    },
    {
      target: "latest",
      reset: "earliest" as const,
      after: [100, 80, 40, 60],
      reprocess: 0,
      skipped: 30 + 40 + 30,
    },
    {
      target: "latest",
      reset: "latest" as const,
      after: [100, 80, 40, 60],
      reprocess: 0,
      skipped: 30 + 30,
    },
    {
      target: "earliest",
      reset: "latest" as const,
      after: [0, 20, 0, 30],
      reprocess: 130 + 40,
      skipped: 0,
    },
  ])("moves to $target (reset $reset)", ({ target, reset, after, reprocess, skipped }) => {
    const got = planOffsets(target, offsets, reset);
    expect(got.partitions.map((x) => x.after)).toEqual(after);
    expect(got.partitions.map((x) => x.before)).toEqual([100, 50, null, 10]);
    expect([got.eventsToReprocess, got.eventsSkipped]).toEqual([reprocess, skipped]);
  });

  it("moves to the offsets Kafka found for a time, kept within the log", () => {
    const byTime = new Map([
      ["orders/0", 60],
      ["orders/1", 5],
      ["orders/2", 40],
    ]);
    const got = planOffsets("2026-01-01T00:00:00.000Z", offsets, "earliest", byTime);
    // p1: 5 is below its log start (20); p3: no answer means the log end.
    expect(got.partitions.map((x) => x.after)).toEqual([60, 20, 40, 60]);
    expect(got.eventsToReprocess).toBe(40 + 30);
    expect(got.eventsSkipped).toBe(40 + 30);
  });
});
