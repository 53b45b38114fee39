import { describe, expect, it } from "vitest";
import type { CapacityEstimate } from "./capacity.js";
import {
  type DecisionRecord,
  emptyHistory,
  type Recommendation,
  recordDecision,
  type ScaleHistory,
} from "./history.js";
import type { GroupRates } from "./rates.js";

const NOW = Date.UTC(2026, 0, 1, 12);
const ago = (seconds: number) => NOW - seconds * 1000;
const spec = { scaleDownStabilizationSeconds: 300 };

const consuming = (perSecond: number): GroupRates => ({
  known: true,
  from: ago(30),
  to: NOW,
  seconds: 30,
  productionPerSecond: perSecond,
  consumptionPerSecond: perSecond,
  partitions: [],
});
const noRates: GroupRates = { known: false, reason: "fewer than two readings" };

const obs = (currentReplicas: number, rates: GroupRates = consuming(100)) => ({
  at: NOW,
  currentReplicas,
  rates,
});

const decision = (partial: Partial<DecisionRecord> = {}): DecisionRecord => ({
  replicas: 1,
  recommendation: 1,
  catchingUp: false,
  capacity: undefined,
  ...partial,
});

const rec = (secondsAgo: number, replicas = 1, catchingUp = false): Recommendation => ({
  at: ago(secondsAgo),
  replicas,
  catchingUp,
});

const capacity: CapacityEstimate = { perReplica: 200, basis: "measured", at: ago(20) };

describe("recordDecision", () => {
  it("adds the recommendation and keeps only those within the stabilization window", () => {
    const history: ScaleHistory = { recommendations: [rec(400, 3), rec(300, 2), rec(10, 1)] };
    const next = recordDecision(
      history,
      obs(1),
      decision({ recommendation: 2, catchingUp: true }),
      spec,
    );
    expect(next.recommendations).toEqual([rec(300, 2), rec(10, 1), rec(0, 2, true)]);
  });

  it("replaces a recommendation made at the same instant (a repeated reconcile)", () => {
    const history: ScaleHistory = { recommendations: [rec(10, 1), rec(0, 3)] };
    const next = recordDecision(history, obs(1), decision({ recommendation: 2 }), spec);
    expect(next.recommendations).toEqual([rec(10, 1), rec(0, 2)]);
  });

  it("remembers a change of replicas with the consumption rate just before it", () => {
    const next = recordDecision(
      emptyHistory,
      obs(1, consuming(180)),
      decision({ replicas: 3 }),
      spec,
    );
    expect(next.lastChange).toEqual({ at: NOW, from: 1, to: 3, consumptionBefore: 180 });
  });

  it("records no consumption before a change when rates are unknown", () => {
    const next = recordDecision(emptyHistory, obs(1, noRates), decision({ replicas: 2 }), spec);
    expect(next.lastChange?.consumptionBefore).toBeNull();
  });

  it("keeps the last change while the replicas stay", () => {
    const lastChange = { at: ago(120), from: 1, to: 3, consumptionBefore: 180 };
    const next = recordDecision(
      { recommendations: [], lastChange },
      obs(3),
      decision({ replicas: 3 }),
      spec,
    );
    expect(next.lastChange).toEqual(lastChange);
  });

  it("keeps the capacity estimate when the decision brings none, and takes a newer one", () => {
    const kept = recordDecision({ recommendations: [], capacity }, obs(1), decision(), spec);
    expect(kept.capacity).toEqual(capacity);
    const newer: CapacityEstimate = { perReplica: 150, basis: "measured", at: NOW };
    const taken = recordDecision(
      { recommendations: [], capacity },
      obs(1),
      decision({ capacity: newer }),
      spec,
    );
    expect(taken.capacity).toEqual(newer);
  });

  it("does not change the history it was given", () => {
    const history: ScaleHistory = { recommendations: [rec(10, 1)] };
    recordDecision(history, obs(1), decision({ replicas: 3 }), spec);
    expect(history).toEqual({ recommendations: [rec(10, 1)] });
  });
});
