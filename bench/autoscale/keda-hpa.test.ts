import { describe, expect, it } from "vitest";
import type { PartitionLag } from "../../operator/src/kafka/lag.js";
import {
  hpaDefaults,
  hpaMetricReplicas,
  kedaHpaController,
  kedaLagMetric,
  rateLimited,
  type ScaleEvent,
  stabilized,
} from "./keda-hpa.js";

/** `total` whole events spread over the partitions, the remainder on the last. */
const lags = (total: number, partitions: number) =>
  Array.from({ length: partitions }, (_, i) => {
    const share = Math.floor(total / partitions);
    return { lag: i === partitions - 1 ? total - share * (partitions - 1) : share };
  });

describe("kedaLagMetric", () => {
  it.each([
    { case: "reports the total lag below the cap", total: 2500, partitions: 3, want: 2500 },
    {
      case: "caps 10,000 on 3 partitions at 3 x threshold",
      total: 10_000,
      partitions: 3,
      want: 3000,
    },
    {
      case: "lets 3,500 on 3 partitions through: 3,500 / 1,000 is 3 in integers, not above 3",
      total: 3500,
      partitions: 3,
      want: 3500,
    },
    { case: "lets 3,999 through as well", total: 3999, partitions: 3, want: 3999 },
    {
      case: "caps from 4,000 on, where the integer quotient exceeds the partitions",
      total: 4000,
      partitions: 3,
      want: 3000,
    },
  ])("$case", ({ total, partitions, want }) => {
    expect(kedaLagMetric(lags(total, partitions), 1000)).toBe(want);
  });

  it("counts whole events per partition, as offsets are", () => {
    expect(kedaLagMetric([{ lag: 10.7 }, { lag: 0.9 }], 1000)).toBe(10);
  });
});

describe("hpaMetricReplicas", () => {
  it.each([
    { case: "asks ceil(metric / target)", metric: 3000, current: 1, want: 3 },
    { case: "holds within the 10% tolerance", metric: 1090, current: 1, want: 1 },
    { case: "moves just outside it", metric: 1150, current: 1, want: 2 },
    {
      case: "stalls below the next replica when the excess is under 10% of the current",
      metric: 2150,
      current: 2,
      want: 2,
    },
    {
      case: "turns KEDA's uncapped 3,500 into a fourth replica",
      metric: 3500,
      current: 3,
      want: 4,
    },
    {
      case: "asks for none with no lag (min replicas bound it later)",
      metric: 0,
      current: 3,
      want: 0,
    },
  ])("$case", ({ metric, current, want }) => {
    expect(hpaMetricReplicas(metric, 1000, current, 0.1)).toBe(want);
  });
});

describe("stabilized", () => {
  const NOW = 1_000_000;
  const rec = (secondsAgo: number, replicas: number) => ({ at: NOW - secondsAgo * 1000, replicas });

  it("passes a scale-up at once", () => {
    expect(stabilized([rec(10, 1)], 3, 1, NOW, 300)).toBe(3);
  });

  it("scales down no lower than the highest recommendation of the window", () => {
    expect(stabilized([rec(200, 4), rec(100, 2)], 1, 5, NOW, 300)).toBe(4);
  });

  it("forgets recommendations older than the window", () => {
    expect(stabilized([rec(301, 4), rec(100, 2)], 1, 5, NOW, 300)).toBe(2);
  });

  it("never keeps more than the current replicas", () => {
    expect(stabilized([rec(100, 6)], 1, 3, NOW, 300)).toBe(3);
  });
});

describe("rateLimited", () => {
  const NOW = 1_000_000;
  const bounds = { minReplicas: 1, maxReplicas: 20 };
  const up = (secondsAgo: number, change: number): ScaleEvent => ({
    at: NOW - secondsAgo * 1000,
    change,
  });

  it.each([
    { case: "1 to at most 5: +4 pods beats +100%", current: 1, desired: 12, events: [], want: 5 },
    { case: "5 to at most 10: +100% beats +4", current: 5, desired: 12, events: [], want: 10 },
    { case: "10 to 12: within +100%", current: 10, desired: 12, events: [], want: 12 },
    {
      case: "counts from the replicas at the start of the 15 s period",
      current: 5,
      desired: 12,
      events: [up(10, 4)],
      want: 5,
    },
    {
      case: "a change 15 s ago has left the period",
      current: 5,
      desired: 12,
      events: [up(15, 4)],
      want: 10,
    },
    {
      case: "scales down all the way at once (100% per 15 s)",
      current: 12,
      desired: 1,
      events: [],
      want: 1,
    },
    { case: "no lower than minReplicas", current: 3, desired: 0, events: [], want: 1 },
  ])("$case", ({ current, desired, events, want }) => {
    expect(rateLimited(desired, current, events, NOW, bounds, hpaDefaults)).toBe(want);
  });

  it("no higher than maxReplicas", () => {
    expect(rateLimited(12, 4, [], NOW, { minReplicas: 1, maxReplicas: 6 }, hpaDefaults)).toBe(6);
  });
});

describe("kedaHpaController", () => {
  const spec = { minReplicas: 1, maxReplicas: 12, lagThreshold: 1000 };
  const partitions = (total: number, count: number): PartitionLag[] =>
    Array.from({ length: count }, (_, partition) => ({
      topic: "orders",
      partition,
      logStart: 0,
      logEnd: total / count,
      committed: 0,
      lag: total / count,
    }));

  /** Syncs every 15 s from 0 with the given total lag, applying each answer; returns them. */
  function run(totals: number[], count: number, initial = 1): number[] {
    const controller = kedaHpaController(spec);
    let replicas = initial;
    return totals.map((total, i) => {
      replicas = controller.sync({
        at: i * 15_000,
        partitions: partitions(total, count),
        members: replicas,
        replicas,
      });
      return replicas;
    });
  }

  it("scales a 3-partition group to 3 at the first sync that sees 10,000 events", () => {
    expect(run([10_000], 3)).toEqual([3]);
  });

  it("climbs to 12 partitions one rate-limited step per sync: 5, 10, 12", () => {
    expect(run([100_000, 100_000, 100_000, 100_000], 12)).toEqual([5, 10, 12, 12]);
  });

  it("runs a fourth replica on 3 partitions while the lag is between 3,000 and 4,000", () => {
    expect(run([10_000, 3500], 3)).toEqual([3, 4]);
  });

  it("scales down once the higher recommendations leave the 300 s window, to the window's highest", () => {
    // 3 recommended at 0 s, 2 at 15 s, then none. The window keeps what is newer than 300 s: at
    // 300 s the 3 has left it and the 2 has not; at 315 s the 2 has left too.
    const totals = [3000, 1500, ...Array(22).fill(0)];
    const replicas = run(totals, 3);
    expect(replicas.slice(0, 20)).toEqual(Array(20).fill(3));
    expect(replicas[20]).toBe(2);
    expect(replicas[21]).toBe(1);
  });

  it("a new HPA waits a whole window before scaling down what it found", () => {
    const replicas = run(Array(22).fill(0), 3, 3);
    expect(replicas.slice(0, 20)).toEqual(Array(20).fill(3));
    expect(replicas[21]).toBe(1);
  });

  it("moves a group above maxReplicas straight down to it", () => {
    expect(run([0], 24, 20)).toEqual([12]);
  });
});
