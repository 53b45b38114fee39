import { describe, expect, it } from "vitest";
import type { ScenarioResult } from "./compare.js";
import type { RunFigures } from "./figures.js";
import { seedBurst } from "./scenarios.js";
import { checkTargets, type TargetName } from "./targets.js";

const figures = (partial: Partial<RunFigures>): RunFigures => ({
  drainSeconds: 0,
  longestDrainSeconds: 0,
  peakLag: 0,
  replicaSeconds: 0,
  scalingChanges: 0,
  maxReplicas: 1,
  ...partial,
});

const result = (
  ours: Partial<RunFigures>,
  keda: Partial<RunFigures>,
  references: { floor?: number; fastestReactive?: number } = {},
): ScenarioResult => ({
  scenario: seedBurst(),
  ours: { figures: figures(ours), trace: { points: [], changes: [] }, phases: 10 },
  keda: { figures: figures(keda), trace: { points: [], changes: [] }, phases: 15 },
  references: {
    floor: figures({ drainSeconds: references.floor ?? 0 }),
    fastestReactive: figures({ drainSeconds: references.fastestReactive ?? 0 }),
  },
});

const target = (r: ScenarioResult, name: TargetName) =>
  checkTargets(r).find((c) => c.target === name);

describe("checkTargets", () => {
  it("meets the drain target at half of KEDA's time and misses it above", () => {
    expect(target(result({ drainSeconds: 50 }, { drainSeconds: 100 }), "drain")).toMatchObject({
      ratio: 0.5,
      met: true,
    });
    expect(target(result({ drainSeconds: 51 }, { drainSeconds: 100 }), "drain")?.met).toBe(false);
  });

  it("calls a missed drain target out of reach when even a replica per partition from the start is too slow", () => {
    const check = target(
      result({ drainSeconds: 80 }, { drainSeconds: 100 }, { floor: 60 }),
      "drain",
    );
    expect(check?.outOfReach).toContain("even a replica per partition from the start takes 60 s");
  });

  it("calls it out of reach when the fastest lag-driven policy is too slow", () => {
    const check = target(
      result({ drainSeconds: 80 }, { drainSeconds: 100 }, { floor: 20, fastestReactive: 55 }),
      "drain",
    );
    expect(check?.outOfReach).toContain("drains in 55 s at best");
  });

  it("says what a reachable drain target would cost when the fastest run outspends KEDA", () => {
    const r = result(
      { drainSeconds: 80 },
      { drainSeconds: 100, replicaSeconds: 3000 },
      { floor: 20, fastestReactive: 40 },
    );
    r.references.fastestReactive.replicaSeconds = 4000;
    expect(target(r, "drain")?.tradeOff).toContain("4,000 replica-seconds against KEDA's 3,000");
  });

  it("does not excuse a miss that a lag-driven policy could have avoided", () => {
    const check = target(
      result({ drainSeconds: 80 }, { drainSeconds: 100 }, { floor: 20, fastestReactive: 40 }),
      "drain",
    );
    expect(check).toMatchObject({ met: false });
    expect(check?.outOfReach).toBeUndefined();
  });

  it("allows as many replica-seconds as KEDA's and no more", () => {
    expect(
      target(result({ replicaSeconds: 900 }, { replicaSeconds: 900 }), "replicaSeconds")?.met,
    ).toBe(true);
    expect(
      target(result({ replicaSeconds: 901 }, { replicaSeconds: 900 }), "replicaSeconds")?.met,
    ).toBe(false);
  });

  it("counts no changes against no changes as met, and any against none as missed", () => {
    expect(target(result({}, {}), "scalingChanges")).toMatchObject({ ratio: null, met: true });
    expect(target(result({ scalingChanges: 1 }, {}), "scalingChanges")?.met).toBe(false);
  });

  it("says a changes target below one scale-up and its scale-down needs runs that never scale", () => {
    const check = target(
      result({ scalingChanges: 1.8 }, { scalingChanges: 2.5 }),
      "scalingChanges",
    );
    expect(check?.met).toBe(false);
    expect(check?.tradeOff).toContain("half of KEDA's 2.50 changes is 1.25");
    expect(check?.tradeOff).toContain("at least 38% of the runs do not scale at all");
  });

  it("does not excuse missing a changes target that leaves room for a scale-up and back", () => {
    const check = target(result({ scalingChanges: 2.5 }, { scalingChanges: 4 }), "scalingChanges");
    expect(check?.met).toBe(false);
    expect(check?.tradeOff).toBeUndefined();
  });

  it("never allows more replicas than partitions", () => {
    expect(target(result({ maxReplicas: 3 }, {}), "maxReplicas")?.met).toBe(true);
    expect(target(result({ maxReplicas: 4 }, {}), "maxReplicas")?.met).toBe(false);
  });
});
