import { describe, expect, it } from "vitest";
import type { PartitionLag } from "../kafka/lag.js";
import type { CapacityEstimate } from "./capacity.js";
import type { Recommendation, ScaleChange, ScaleHistory } from "./history.js";
import type { LagObservation } from "./observation.js";
import { desiredReplicas, type ScalingSpec } from "./policy.js";
import type { GroupRates } from "./rates.js";

// Every observation is made at NOW. Unless a test says otherwise a replica works through 100
// events/s (measured), planned at 90% (90 ev/s), a change costs a 15 s rebalance, and the spec is
// the CRD's defaults with maxReplicas 10.

const NOW = Date.UTC(2026, 0, 1, 12);
const ago = (seconds: number) => NOW - seconds * 1000;

const spec: ScalingSpec = {
  minReplicas: 1,
  maxReplicas: 10,
  lagThreshold: 1000,
  catchUpSeconds: 60,
  scaleDownStabilizationSeconds: 300,
  syncPeriodSeconds: 10,
  capAtPartitionsWithLag: false,
};

/** Partitions 0, 1, ... of `orders` with these lags. */
const lagging = (lags: readonly number[]): PartitionLag[] =>
  lags.map((lag, partition) => ({
    topic: "orders",
    partition,
    logStart: 0,
    logEnd: 1_000_000 + lag,
    committed: 1_000_000,
    lag,
  }));

interface Window {
  seconds: number;
  /** Per partition, events/s. */
  production: readonly number[];
  /** Per partition, events/s; what was produced unless given (keep it within what replicas can do). */
  consumption?: readonly number[];
  /** Per partition, the smallest lag in the window; 0 unless given (so nothing measures a replica). */
  minLag?: readonly number[];
}

function windowRates({ seconds, production, consumption, minLag }: Window): GroupRates {
  const partitions = production.map((p, partition) => ({
    topic: "orders",
    partition,
    productionPerSecond: p,
    consumptionPerSecond: consumption?.[partition] ?? p,
    minLag: minLag?.[partition] ?? 0,
  }));
  return {
    known: true,
    from: ago(seconds),
    to: NOW,
    seconds,
    productionPerSecond: partitions.reduce((sum, p) => sum + p.productionPerSecond, 0),
    consumptionPerSecond: partitions.reduce((sum, p) => sum + p.consumptionPerSecond, 0),
    partitions,
  };
}

const noRates: GroupRates = { known: false, reason: "fewer than two readings" };

interface Group {
  lags: readonly number[];
  replicas: number;
  /** Steady production per partition over the whole 30 s rate window; no rates when omitted. */
  production?: readonly number[];
  /** The latest 10 s, when they differ from the rate window (defaults: steady production). */
  recent?: Omit<Window, "seconds">;
  /** The 30 s rate window's consumption, when it differs from production. */
  consumption?: readonly number[];
  paused?: boolean;
}

function observation(group: Group): LagObservation {
  const { production } = group;
  return {
    at: NOW,
    partitions: lagging(group.lags),
    members: group.replicas,
    currentReplicas: group.replicas,
    rates: production
      ? windowRates({
          seconds: 30,
          production,
          ...(group.consumption ? { consumption: group.consumption } : {}),
        })
      : noRates,
    recent: production ? windowRates({ seconds: 10, production, ...group.recent }) : noRates,
    paused: group.paused ?? false,
  };
}

const measured = (perReplica: number): CapacityEstimate => ({
  perReplica,
  basis: "measured",
  at: ago(60),
});
const lowerBound = (perReplica: number): CapacityEstimate => ({
  perReplica,
  basis: "lowerBound",
  at: ago(60),
});

/** Recommendations of `replicas` every sync period over the last `seconds`, none while catching up. */
const watched = (replicas: number, seconds = 300): Recommendation[] =>
  Array.from({ length: seconds / 10 }, (_, k) => ({
    at: ago(seconds - k * 10),
    replicas,
    catchingUp: false,
  }));

const history = (
  partial: {
    capacity?: CapacityEstimate;
    recommendations?: Recommendation[];
    lastChange?: ScaleChange;
  } = {},
): ScaleHistory => ({
  recommendations: partial.recommendations ?? watched(1),
  capacity: partial.capacity ?? measured(100),
  ...(partial.lastChange ? { lastChange: partial.lastChange } : {}),
});

const three = (n: number) => [n, n, n];
const six = (n: number) => [n, n, n, n, n, n];

describe("desiredReplicas before any rate is known: lag / lagThreshold", () => {
  it.each([
    { case: "2,500 events of lag on 6 partitions: 3 replicas", lags: six(2500 / 6), want: 3 },
    {
      case: "exactly 2 x the threshold: 2 replicas, not 3",
      lags: [1000, 1000, 0, 0, 0, 0],
      want: 2,
    },
    {
      case: "3,500 events on 3 partitions: 3 replicas, not the 4 KEDA's integer cap check lets through",
      lags: three(3500 / 3),
      want: 3,
    },
    { case: "10 x the threshold on 3 partitions: exactly 3", lags: three(10_000 / 3), want: 3 },
    { case: "no lag: the minimum", lags: three(0), want: 1 },
    {
      case: "4,200 events on 6 partitions: 6 replicas, not the 5 that leave 1,400 on one member",
      lags: six(700),
      want: 6,
    },
    {
      case: "1,800 events on partitions 0 and 2: 3 replicas, since with 2 one member reads both",
      lags: [900, 0, 900, 0, 0, 0],
      want: 3,
    },
  ])("$case", ({ lags, want }) => {
    const decision = desiredReplicas(observation({ lags, replicas: 1 }), spec, history());
    expect(decision.replicas).toBe(want);
    expect(decision.replicas).toBeLessThanOrEqual(lags.length);
  });

  it("says it went by the lag threshold and that the partitions capped it", () => {
    const decision = desiredReplicas(
      observation({ lags: three(5000), replicas: 1 }),
      spec,
      history(),
    );
    expect(decision).toMatchObject({ replicas: 3, reason: "LagThresholdFallback" });
    expect(decision.message).toContain("capped: the partition count");
  });

  it("caps at maxReplicas when it is below the partition count", () => {
    const decision = desiredReplicas(
      observation({ lags: six(5000), replicas: 1 }),
      { ...spec, maxReplicas: 2 },
      history(),
    );
    expect(decision.replicas).toBe(2);
    expect(decision.message).toContain("capped: maxReplicas");
  });

  it("caps at the partitions with lag when asked", () => {
    const decision = desiredReplicas(
      observation({ lags: [5000, 5000, 0, 0, 0, 0], replicas: 1 }),
      { ...spec, capAtPartitionsWithLag: true },
      history(),
    );
    expect(decision.replicas).toBe(2);
  });

  it("wakes a group scaled to zero when lag appears", () => {
    const decision = desiredReplicas(
      observation({ lags: [500, 0, 0], replicas: 0 }),
      { ...spec, minReplicas: 0 },
      history(),
    );
    expect(decision).toMatchObject({ replicas: 1, reason: "ScaledUpFromZero" });
  });

  it("leaves a group at zero while nothing arrives and nothing waits", () => {
    const decision = desiredReplicas(
      observation({ lags: three(0), replicas: 0, production: three(0) }),
      { ...spec, minReplicas: 0 },
      history(),
    );
    expect(decision.replicas).toBe(0);
  });
});

describe("desiredReplicas with a measured per-replica rate", () => {
  it("drains the backlog within catchUpSeconds while keeping up with production", () => {
    // 6 partitions, 10 ev/s and 1,000 events each. A change costs 15 s: 1,150 each, 45 s left.
    // 2 replicas (3 partitions each): 30 + 3,450/45 = 107 > 90. 3 replicas (2 each): 20 + 2,300/45
    // = 71 <= 90. They drain in 2,000 / (100 - 20) = 25 s, plus the 15 s rebalance.
    const decision = desiredReplicas(
      observation({ lags: six(1000), replicas: 1, production: six(10) }),
      spec,
      history(),
    );
    expect(decision).toMatchObject({
      replicas: 3,
      reason: "ScaledUpForBacklog",
      timeToDrainSeconds: 40,
      catchingUp: true,
    });
  });

  it("keeps up with production alone: 250 ev/s needs 3 replicas of 100 ev/s", () => {
    // The one replica consumed its 100 ev/s and fell behind.
    const decision = desiredReplicas(
      observation({
        lags: three(100),
        replicas: 1,
        production: three(250 / 3),
        recent: { production: three(250 / 3), consumption: three(100 / 3) },
      }),
      spec,
      history(),
    );
    expect(decision).toMatchObject({ replicas: 3, reason: "ScaledUpForThroughput" });
  });

  it("goes by the measured rate, not the lag threshold: one fast replica drains 5,000 events in time", () => {
    // 1,000 ev/s per replica works 5,000 events off in 5 s; lag / threshold would say 5.
    const decision = desiredReplicas(
      observation({ lags: three(5000 / 3), replicas: 1, production: three(0) }),
      spec,
      history({ capacity: measured(1000) }),
    );
    expect(decision).toMatchObject({ replicas: 1, reason: "Steady" });
  });

  it("sizes by the busiest member: a hot partition needs a replica of its own", () => {
    // 100 ev/s in all would fit 2 replicas on average, but member 0 of 2 reads partitions 0 and 2:
    // 80 + 15 = 95 > 90. With 3 replicas the busiest reads 80.
    const decision = desiredReplicas(
      observation({
        lags: three(0),
        replicas: 1,
        production: [80, 5, 15],
        recent: { production: [80, 5, 15], consumption: [75, 5, 15] },
      }),
      spec,
      history(),
    );
    expect(decision.replicas).toBe(3);
  });

  it("scales up in one step, however far: 1 to 6 replicas at once", () => {
    // 3,000 per partition: (3,000 / 45) = 67 ev/s fits one partition per member, not two.
    const decision = desiredReplicas(
      observation({ lags: six(3000), replicas: 1, production: six(0) }),
      spec,
      history(),
    );
    expect(decision.replicas).toBe(6);
  });

  it("plans on production once two readings show it, so a one-off burst counts as lag only", () => {
    // The latest 10 s brought a burst (1,000 ev/s per partition); the 20 s before, 10 ev/s. The
    // 30 s window averages (1,000 x 10 + 10 x 20) / 30 = 340. Planned on 10 ev/s, one replica of
    // 200 ev/s drains 6,000 events in time (30 + 6,000/60 = 130 <= 180): no scale-up for a rate
    // that has already stopped.
    const burst = observation({
      lags: three(2000),
      replicas: 1,
      production: three(340),
      recent: { production: three(1000) },
    });
    expect(desiredReplicas(burst, spec, history({ capacity: measured(200) })).replicas).toBe(1);
  });

  it("plans on a rise that two readings show", () => {
    // 100 ev/s per partition throughout: one replica of 200 (180 planned) cannot keep up with
    // 300, two cannot either (member 0 reads 200), three can.
    const decision = desiredReplicas(
      observation({
        lags: three(500),
        replicas: 1,
        production: three(100),
        recent: { production: three(100), consumption: three(200 / 3) },
      }),
      spec,
      history({ capacity: measured(200) }),
    );
    expect(decision).toMatchObject({ replicas: 3, reason: "ScaledUpForThroughput" });
  });

  it("does not call 'fewest that drain soonest' a cap: a hot partition's member holds", () => {
    // 5,000 events on partition 0 at 80 ev/s; its member keeps it at any count, so a rebalance
    // only delays it. At the planned 90 ev/s staying drains in 5,000 / (90 - 82) = 625 s, and
    // 3 replicas in 15 + (5,000 + 1,200) / (90 - 80) = 635 s.
    const decision = desiredReplicas(
      observation({ lags: [5000, 0, 0], replicas: 1, production: [80, 1, 1] }),
      spec,
      history(),
    );
    expect(decision).toMatchObject({ replicas: 1, reason: "Steady", partitionLimited: false });
  });
});

describe("desiredReplicas without a measured per-replica rate", () => {
  it("does not raise replicas on a rate seen only from members with time to spare", () => {
    // Members consumed the 30 ev/s that arrived: they can do at least that, maybe far more.
    const decision = desiredReplicas(
      observation({ lags: three(0), replicas: 1, production: three(10) }),
      spec,
      history({ capacity: lowerBound(30) }),
    );
    expect(decision.replicas).toBe(1);
  });

  it("recommends fewer replicas when even the rate seen so far is enough", () => {
    const decision = desiredReplicas(
      observation({ lags: three(0), replicas: 3, production: three(10) }),
      spec,
      history({ capacity: lowerBound(100), recommendations: watched(1) }),
    );
    expect(decision).toMatchObject({ replicas: 1, recommendation: 1 });
  });

  it("scales up at once on the lag threshold when a new backlog finds the rate unmeasured", () => {
    // The member has only ever consumed what arrived (50 ev/s): no measured rate, and none waited
    // for. 9,000 events: more than the threshold on every partition, so a replica each.
    const decision = desiredReplicas(
      observation({ lags: three(3000), replicas: 1, production: three(10) }),
      spec,
      history({ capacity: lowerBound(50), recommendations: watched(1) }),
    );
    expect(decision).toMatchObject({
      replicas: 3,
      reason: "LagThresholdFallback",
      catchingUp: true,
    });
  });

  it("scales up to fewer than the lag threshold asks when the rate seen so far drains it in time", () => {
    // 12,000 events; the threshold asks 3. At the 250 ev/s seen so far (225 planned), one replica
    // needs 30 + 12,000/60 = 230; two, after the 15 s rebalance, 20 + 8,300/45 = 204: enough.
    const decision = desiredReplicas(
      observation({ lags: three(4000), replicas: 1, production: three(10) }),
      spec,
      history({ capacity: lowerBound(250), recommendations: watched(1) }),
    );
    expect(decision).toMatchObject({ replicas: 2, reason: "LagThresholdFallback" });
    expect(decision.message).toContain("the lag threshold asks 3 replicas, but 2 replicas");
  });

  it("holds when even the rate seen so far drains the backlog in time", () => {
    // At the 250 ev/s seen so far (225 planned), one replica needs 30 + 9,000/60 = 180.
    const decision = desiredReplicas(
      observation({ lags: three(3000), replicas: 1, production: three(10) }),
      spec,
      history({ capacity: lowerBound(250), recommendations: watched(1) }),
    );
    expect(decision).toMatchObject({ replicas: 1, reason: "Steady", catchingUp: true });
  });

  it("measures replicas that kept a backlog through the latest reading, and sizes on that", () => {
    // The member consumed 200 ev/s with 5,000 events waiting on every partition throughout: a
    // measurement. 1 replica: 30 + 15,000/60 = 280 > 180; 2: 20 + 10,300/45 = 249; 3: 124.
    const decision = desiredReplicas(
      observation({
        lags: three(5000),
        replicas: 1,
        production: three(10),
        recent: { production: three(10), consumption: [70, 70, 60], minLag: three(5000) },
      }),
      spec,
      history({ capacity: lowerBound(30), recommendations: watched(1) }),
    );
    expect(decision).toMatchObject({ replicas: 3, reason: "ScaledUpForBacklog" });
    expect(decision.capacity).toMatchObject({ perReplica: 200, basis: "measured" });
  });
});

describe("desiredReplicas at the partition count and maxReplicas", () => {
  it("never asks for more replicas than partitions, however large the lag", () => {
    for (const lag of [3001, 3500, 3999, 4000, 4001, 1_000_000]) {
      const decision = desiredReplicas(
        observation({ lags: three(lag / 3), replicas: 1 }),
        spec,
        history(),
      );
      expect(decision.replicas, `lag ${lag}`).toBe(3);
    }
  });

  it("brings a group above the partition count down to it at once", () => {
    const decision = desiredReplicas(observation({ lags: three(0), replicas: 5 }), spec, history());
    expect(decision).toMatchObject({ replicas: 3, reason: "AtPartitionCap" });
  });

  it("brings a group above maxReplicas down to it at once", () => {
    const decision = desiredReplicas(
      observation({ lags: six(0), replicas: 4 }),
      { ...spec, maxReplicas: 2 },
      history(),
    );
    expect(decision).toMatchObject({ replicas: 2, reason: "AtMaxReplicas" });
  });

  it("holds at the partition count when more replicas are wanted", () => {
    const decision = desiredReplicas(
      observation({ lags: three(10_000), replicas: 3 }),
      spec,
      history(),
    );
    expect(decision).toMatchObject({ replicas: 3, reason: "AtPartitionCap" });
  });

  it("flags a group at the partition count whose production outruns its partitions", () => {
    // 150 ev/s per partition against 100 ev/s per replica (measured while behind).
    const decision = desiredReplicas(
      observation({
        lags: three(3000),
        replicas: 3,
        production: three(150),
        consumption: three(100),
        recent: { production: three(150), consumption: three(100), minLag: three(2500) },
      }),
      spec,
      history(),
    );
    expect(decision).toMatchObject({
      replicas: 3,
      reason: "AtPartitionCap",
      partitionLimited: true,
    });
    expect(decision.message).toContain("only more partitions would help");
  });

  it("does not flag partitions below the cap: it scales up instead", () => {
    const decision = desiredReplicas(
      observation({ lags: three(3000), replicas: 2, production: three(150) }),
      spec,
      history(),
    );
    expect(decision).toMatchObject({ replicas: 3, partitionLimited: false });
  });

  it("does not flag partitions that keep up and drain", () => {
    const decision = desiredReplicas(
      observation({ lags: three(3000), replicas: 3, production: three(50) }),
      spec,
      history(),
    );
    expect(decision.partitionLimited).toBe(false);
  });

  it("does not judge partitions on a rate window that holds the last rebalance", () => {
    // No per-replica rate, so only the consumption seen says whether the group falls behind. 30 s
    // window; a change 20 s ago means 15 s of it were a pause.
    const group = observation({
      lags: three(3000),
      replicas: 3,
      production: three(100),
      consumption: three(60),
    });
    const change = (secondsAgo: number): ScaleChange => ({
      at: ago(secondsAgo),
      from: 1,
      to: 3,
      consumptionBefore: 90,
    });
    const noCapacity: ScaleHistory = { recommendations: watched(3) };
    expect(
      desiredReplicas(group, spec, { ...noCapacity, lastChange: change(20) }).partitionLimited,
    ).toBe(false);
    expect(
      desiredReplicas(group, spec, { ...noCapacity, lastChange: change(60) }).partitionLimited,
    ).toBe(true);
  });
});

describe("desiredReplicas after a scale-up that did not help", () => {
  // Went from 1 to 3 replicas a minute ago at 100 ev/s consumed; lag 20,000 on 6 partitions.
  const lastChange: ScaleChange = { at: ago(60), from: 1, to: 3, consumptionBefore: 100 };
  const group = (consumed: number) =>
    observation({
      lags: six(20_000 / 6),
      replicas: 3,
      production: six(10),
      consumption: six(consumed / 6),
    });

  it("flags it and holds instead of adding replicas that would be wasted", () => {
    const decision = desiredReplicas(group(105), spec, history({ lastChange }));
    expect(decision).toMatchObject({
      replicas: 3,
      reason: "HeldAfterIneffectiveScaleUp",
      ineffectiveScaleUp: true,
    });
  });

  it("does not flag one that raised consumption", () => {
    const decision = desiredReplicas(group(250), spec, history({ lastChange }));
    expect(decision.ineffectiveScaleUp).toBe(false);
  });

  it("does not flag one that has not settled yet", () => {
    const recent = { ...lastChange, at: ago(20) };
    const decision = desiredReplicas(group(105), spec, history({ lastChange: recent }));
    expect(decision.ineffectiveScaleUp).toBe(false);
  });
});

describe("desiredReplicas scaling down", () => {
  // Three replicas, nothing waiting, 30 ev/s in: one replica of 100 ev/s is enough.
  const quiet = observation({ lags: three(0), replicas: 3, production: three(10) });

  it("never scales down while catching up", () => {
    const decision = desiredReplicas(
      observation({ lags: three(3000), replicas: 3, production: three(10) }),
      spec,
      history({ capacity: measured(1000) }),
    );
    expect(decision).toMatchObject({
      replicas: 3,
      reason: "HeldWhileCatchingUp",
      recommendation: 1,
    });
  });

  it("holds while a higher recommendation is within the stabilization window", () => {
    const recommendations = watched(1).map((r, i) => (i === 20 ? { ...r, replicas: 3 } : r));
    const decision = desiredReplicas(quiet, spec, history({ recommendations }));
    expect(decision).toMatchObject({ replicas: 3, reason: "HeldForStabilization" });
  });

  it("scales down in one step to the highest recommendation of the window once it has lasted", () => {
    const recommendations = watched(1).map((r, i) => (i % 4 === 0 ? { ...r, replicas: 2 } : r));
    const decision = desiredReplicas(quiet, spec, history({ recommendations }));
    expect(decision).toMatchObject({ replicas: 2, reason: "ScaledDownAfterStabilization" });
  });

  it("waits to take two steps down in one when the second would come within the first's rebalance", () => {
    // 2 replicas were needed 290 s ago: a step to 2 now, and to 1 in 10 s, inside the 15 s
    // rebalance of the first.
    const recommendations = watched(1).map((r, i) => (i === 1 ? { ...r, replicas: 2 } : r));
    const decision = desiredReplicas(quiet, spec, history({ recommendations }));
    expect(decision).toMatchObject({ replicas: 3, reason: "HeldForStabilization" });
    expect(decision.message).toContain("one step down then instead of two");
  });

  it("steps down to the window's highest when the next step is further off than a rebalance", () => {
    const recommendations = watched(1).map((r, i) => (i === 3 ? { ...r, replicas: 2 } : r));
    const decision = desiredReplicas(quiet, spec, history({ recommendations }));
    expect(decision).toMatchObject({ replicas: 2, reason: "ScaledDownAfterStabilization" });
  });

  it("holds while any recommendation in the window was made catching up", () => {
    const recommendations = watched(1).map((r, i) => (i === 5 ? { ...r, catchingUp: true } : r));
    const decision = desiredReplicas(quiet, spec, history({ recommendations }));
    expect(decision.replicas).toBe(3);
  });

  it("does not scale down before the whole window has been watched (after a restart)", () => {
    const decision = desiredReplicas(quiet, spec, history({ recommendations: watched(1, 100) }));
    expect(decision).toMatchObject({ replicas: 3, reason: "HeldForStabilization" });
    expect(decision.message).toContain("watched for 100 s of the 300 s window");
  });

  it("forgets recommendations older than the window", () => {
    const recommendations = [{ at: ago(400), replicas: 3, catchingUp: true }, ...watched(1)];
    expect(desiredReplicas(quiet, spec, history({ recommendations })).replicas).toBe(1);
  });

  it("scales down at once with no stabilization window", () => {
    const decision = desiredReplicas(
      quiet,
      { ...spec, scaleDownStabilizationSeconds: 0 },
      history({ recommendations: [] }),
    );
    expect(decision.replicas).toBe(1);
  });
});

describe("desiredReplicas leaves some groups alone", () => {
  it("holds a group whose replay is in progress", () => {
    const decision = desiredReplicas(
      observation({ lags: three(10_000), replicas: 0, paused: true }),
      spec,
      history(),
    );
    expect(decision).toMatchObject({ replicas: 0, reason: "PausedForReplay" });
  });

  it("holds a group whose topics have no partitions", () => {
    const decision = desiredReplicas(observation({ lags: [], replicas: 2 }), spec, history());
    expect(decision).toMatchObject({ replicas: 2, reason: "NoPartitions" });
  });
});
