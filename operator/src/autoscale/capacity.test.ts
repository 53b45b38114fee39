import { describe, expect, it } from "vitest";
import { type CapacityEstimate, type CapacityReading, updateCapacity } from "./capacity.js";
import type { GroupRates } from "./rates.js";

const END = Date.UTC(2026, 0, 1, 12);
const START = END - 10_000;

/** One partition over the interval: [production ev/s, consumption ev/s, smallest lag seen]. */
type Part = readonly [production: number, consumption: number, minLag: number];

/** Rates over the 10 s before END. */
function interval(parts: readonly Part[]): GroupRates {
  return {
    known: true,
    from: START,
    to: END,
    seconds: 10,
    productionPerSecond: parts.reduce((sum, [p]) => sum + p, 0),
    consumptionPerSecond: parts.reduce((sum, [, c]) => sum + c, 0),
    partitions: parts.map(([production, consumption, minLag], partition) => ({
      topic: "orders",
      partition,
      productionPerSecond: production,
      consumptionPerSecond: consumption,
      minLag,
    })),
  };
}

const reading = (
  parts: readonly Part[],
  partial: Partial<CapacityReading> = {},
): CapacityReading => ({
  recent: interval(parts),
  members: 1,
  lastChangeAt: undefined,
  rebalanceSeconds: 15,
  saturationSeconds: 5,
  ...partial,
});

const measured = (perReplica: number): CapacityEstimate => ({
  perReplica,
  basis: "measured",
  at: END - 60_000,
});
const lowerBound = (perReplica: number): CapacityEstimate => ({
  perReplica,
  basis: "lowerBound",
  at: END - 60_000,
});

describe("updateCapacity", () => {
  it("measures a member that kept a backlog through the interval: it ran flat out", () => {
    const parts: Part[] = [
      [10, 70, 5000],
      [10, 70, 5000],
      [10, 60, 5000],
    ];
    expect(updateCapacity(undefined, reading(parts))).toEqual({
      perReplica: 200,
      basis: "measured",
      at: END,
    });
  });

  it("averages the busy members only; an idle member just consumed what arrived", () => {
    // Three members, one partition each: two busy (180 and 220 ev/s), one keeping up at 10 ev/s.
    const parts: Part[] = [
      [10, 180, 4000],
      [10, 220, 4000],
      [10, 10, 0],
    ];
    expect(updateCapacity(undefined, reading(parts, { members: 3 }))).toMatchObject({
      perReplica: 200,
      basis: "measured",
    });
  });

  it("counts a member busy when any one of its partitions kept a backlog", () => {
    // Two members: member 0 reads partitions 0 and 2 (only 2 has a backlog), member 1 reads 1.
    const parts: Part[] = [
      [10, 10, 0],
      [10, 10, 0],
      [10, 140, 3000],
    ];
    expect(updateCapacity(undefined, reading(parts, { members: 2 }))?.perReplica).toBe(150);
  });

  it("does not take a lag of a few seconds' production as a backlog (commits trail consumption)", () => {
    // 400 events waiting at 100 ev/s is 4 s of production, under the 5 s that proves saturation.
    const parts: Part[] = [[100, 100, 400]];
    expect(updateCapacity(undefined, reading(parts))).toEqual({
      perReplica: 100,
      basis: "lowerBound",
      at: END,
    });
  });

  it("raises a lower bound when idle members are seen consuming more", () => {
    expect(updateCapacity(lowerBound(150), reading([[180, 180, 0]]))).toMatchObject({
      perReplica: 180,
      basis: "lowerBound",
    });
  });

  it("raises a measurement that idle members have since exceeded: they can do at least that", () => {
    expect(updateCapacity(measured(200), reading([[250, 250, 0]]))).toMatchObject({
      perReplica: 250,
      basis: "measured",
    });
  });

  it("never lowers an estimate from idle members: a quiet group says nothing of its limit", () => {
    expect(updateCapacity(lowerBound(150), reading([[100, 100, 0]]))).toEqual(lowerBound(150));
    expect(updateCapacity(measured(200), reading([[50, 50, 0]]))).toEqual(measured(200));
  });

  it("lowers a measurement when busy members now consume less (a slower downstream)", () => {
    expect(updateCapacity(measured(200), reading([[10, 120, 5000]]))).toMatchObject({
      perReplica: 120,
      basis: "measured",
    });
  });

  it("ignores an interval that overlaps the rebalance after the last change", () => {
    // The change was 5 s before the interval began; the group was still rejoining for 10 s of it.
    const parts: Part[] = [[10, 60, 5000]];
    expect(updateCapacity(measured(200), reading(parts, { lastChangeAt: START - 5000 }))).toEqual(
      measured(200),
    );
    // 15 s after the change the rebalance is over, and the interval counts.
    expect(
      updateCapacity(measured(200), reading(parts, { lastChangeAt: START - 15_000 }))?.perReplica,
    ).toBe(60);
  });

  it("keeps the estimate while rates are unknown or the group has no members", () => {
    const unknown: GroupRates = { known: false, reason: "fewer than two readings" };
    expect(updateCapacity(measured(200), reading([], { recent: unknown }))).toEqual(measured(200));
    expect(updateCapacity(measured(200), reading([[10, 60, 5000]], { members: 0 }))).toEqual(
      measured(200),
    );
  });

  it("does not measure a member that held a backlog but consumed nothing: it is stuck, not slow", () => {
    expect(updateCapacity(undefined, reading([[10, 0, 5000]]))).toBeUndefined();
    expect(updateCapacity(measured(200), reading([[10, 0, 5000]]))).toEqual(measured(200));
  });
});
