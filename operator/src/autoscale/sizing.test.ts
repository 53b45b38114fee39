import { describe, expect, it } from "vitest";
import {
  drainSeconds,
  type PartitionWork,
  peakMemberLag,
  peakMemberLoad,
  type SizingInput,
  sizeForBacklog,
  sizeForLagThreshold,
} from "./sizing.js";

/** `count` partitions that each produce `production` events/s and hold `lag` events. */
const even = (count: number, production: number, lag: number): PartitionWork[] =>
  Array.from({ length: count }, () => ({ production, lag }));

describe("peakMemberLoad", () => {
  it("loads the member with the most work: 2 replicas over 3 partitions give the first two", () => {
    const partitions = [
      { production: 10, lag: 600 },
      { production: 20, lag: 0 },
      { production: 30, lag: 300 },
    ];
    // Member 0 reads partitions 0 and 2: 10 + 600/60 + 30 + 300/60 = 55; member 1 reads 20.
    expect(peakMemberLoad(partitions, 2, 60)).toBe(55);
  });

  it("gives each partition its own member when there are more replicas than partitions", () => {
    expect(peakMemberLoad(even(3, 10, 600), 5, 60)).toBe(20);
  });
});

describe("peakMemberLag", () => {
  it.each([
    { case: "one member holds everything", lags: [100, 200, 300], replicas: 1, want: 600 },
    {
      case: "of 2 members on 3 partitions, the first reads partitions 0 and 2",
      lags: [100, 200, 300],
      replicas: 2,
      want: 400,
    },
    {
      case: "a member per partition: the largest partition",
      lags: [100, 200, 300],
      replicas: 5,
      want: 300,
    },
    {
      case: "no members with a backlog: never worked off",
      lags: [0, 5],
      replicas: 0,
      want: Infinity,
    },
    { case: "no members and no backlog: nothing held", lags: [0, 0], replicas: 0, want: 0 },
  ])("$case", ({ lags, replicas, want }) => {
    expect(peakMemberLag(lags, replicas)).toBe(want);
  });
});

describe("sizeForLagThreshold", () => {
  const twelve = (lag: number) => Array.from({ length: 12 }, () => lag);

  it.each([
    {
      case: "the fewest whose members each hold at most the threshold: 2,500 on 3 partitions, 3",
      lags: [834, 833, 833],
      want: { replicas: 3, sufficient: true },
    },
    {
      case: "exactly the threshold per member is enough",
      lags: [1000, 1000, 0, 0],
      want: { replicas: 2, sufficient: true },
    },
    {
      case: "10,000 on 12 partitions: 12, not the 10 or 11 that leave two partitions on a member",
      lags: twelve(10_000 / 12),
      want: { replicas: 12, sufficient: true },
    },
    {
      case: "5,000 on 12 partitions: 6, two partitions (833 events) each",
      lags: twelve(5000 / 12),
      want: { replicas: 6, sufficient: true },
    },
    {
      case: "a partition over the threshold alone: as many as the bounds allow",
      lags: [1500, 0, 0],
      want: { replicas: 3, sufficient: false },
    },
  ])("$case", ({ lags, want }) => {
    expect(sizeForLagThreshold(lags, 1000, 1, lags.length)).toEqual(want);
  });

  it("stays within the bounds", () => {
    expect(sizeForLagThreshold([0, 0, 0], 1000, 2, 3)).toEqual({ replicas: 2, sufficient: true });
    expect(sizeForLagThreshold([3000, 3000, 3000], 1000, 1, 2)).toEqual({
      replicas: 2,
      sufficient: false,
    });
    expect(sizeForLagThreshold([0, 0, 0], 1000, 0, 3)).toEqual({ replicas: 0, sufficient: true });
  });
});

describe("drainSeconds", () => {
  it.each([
    {
      case: "no backlog and keeping up: nothing to drain",
      parts: even(3, 10, 0),
      replicas: 1,
      want: 0,
    },
    {
      case: "one replica works 1,000 events off at 100 ev/s while 50 ev/s arrive: 20 s",
      parts: [{ production: 50, lag: 1000 }],
      replicas: 1,
      want: 20,
    },
    {
      case: "the busiest member decides: 1,200 events on the member with two partitions",
      parts: [
        { production: 0, lag: 600 },
        { production: 0, lag: 0 },
        { production: 0, lag: 600 },
      ],
      replicas: 2,
      want: 12,
    },
    {
      case: "a member given more production than it consumes never drains, even with no lag yet",
      parts: [
        { production: 60, lag: 0 },
        { production: 0, lag: 0 },
        { production: 60, lag: 0 },
      ],
      replicas: 2,
      want: Number.POSITIVE_INFINITY,
    },
    {
      case: "a member consuming exactly what arrives never works its backlog off",
      parts: [{ production: 100, lag: 10 }],
      replicas: 1,
      want: Number.POSITIVE_INFINITY,
    },
    {
      case: "no replicas with work waiting: never",
      parts: even(3, 0, 5),
      replicas: 0,
      want: Number.POSITIVE_INFINITY,
    },
    { case: "no replicas and nothing to do: done", parts: even(3, 0, 0), replicas: 0, want: 0 },
  ])("$case", ({ parts, replicas, want }) => {
    expect(drainSeconds(parts, replicas, 100)).toBe(want);
  });
});

describe("sizeForBacklog", () => {
  // 100 ev/s per replica planned at 90%: a member may carry 90 ev/s of production plus backlog.
  const input = (partial: Partial<SizingInput> & Pick<SizingInput, "partitions">): SizingInput => ({
    perReplica: 100,
    targetUtilization: 0.9,
    catchUpSeconds: 60,
    current: 1,
    rebalanceSeconds: 15,
    lower: 1,
    upper: partial.partitions.length,
    ...partial,
  });

  it("keeps the current replicas when they drain the backlog within catchUpSeconds", () => {
    // One member: 3 x 10 ev/s + 3,000 / 60 s = 80 ev/s <= 90.
    expect(sizeForBacklog(input({ partitions: even(3, 10, 1000) }))).toEqual({
      replicas: 1,
      sufficient: true,
      keepUpReplicas: 1,
    });
  });

  it("adds replicas when the current ones would miss the catch-up time", () => {
    // 1 replica: 30 + 4,500/60 = 105 > 90. A change pays 15 s: each backlog grows to 1,650 and
    // 45 s remain. 2 replicas: 20 + 3,300/45 = 93 > 90. 3 replicas: 10 + 1,650/45 = 47.
    expect(sizeForBacklog(input({ partitions: even(3, 10, 1500) })).replicas).toBe(3);
  });

  it("charges a change its rebalance: a count that suffices only without the pause is passed over", () => {
    // 2,100 per partition, no production. 2 replicas: 4,200/45 = 93 > 90 with the pause,
    // 4,200/60 = 70 without it.
    const partitions = even(3, 0, 2100);
    expect(sizeForBacklog(input({ partitions })).replicas).toBe(3);
    expect(sizeForBacklog(input({ partitions, rebalanceSeconds: 0 })).replicas).toBe(2);
  });

  it("never picks a count whose busiest member keeps as many partitions as with fewer replicas", () => {
    // Two partitions per member fit (2 x 1,800/45 = 80), three do not (120). 12 partitions reach
    // two per member at 6 replicas; 7 to 11 leave some member two as well, so they add nothing.
    expect(sizeForBacklog(input({ partitions: even(12, 0, 1800) })).replicas).toBe(6);
  });

  it("counts the replicas production alone needs, as keepUpReplicas", () => {
    // 60 ev/s per partition: one member per partition stays under 90 ev/s, two do not.
    expect(sizeForBacklog(input({ partitions: even(3, 60, 0) }))).toEqual({
      replicas: 3,
      sufficient: true,
      keepUpReplicas: 3,
    });
  });

  it("when nothing drains in time, takes the count that drains soonest, its rebalance included", () => {
    // A hot partition: its member keeps it at any count, so more replicas shed only 2 ev/s.
    // At the planned 90 ev/s, staying drains in 5,000 / (90 - 82) = 625 s; three replicas pause
    // 15 s and then need (5,000 + 80 x 15) / (90 - 80) = 620 s: 635 s. The most throughput
    // (3 replicas) would drain later.
    const partitions = [
      { production: 80, lag: 5000 },
      { production: 1, lag: 0 },
      { production: 1, lag: 0 },
    ];
    expect(sizeForBacklog(input({ partitions }))).toMatchObject({ replicas: 1, sufficient: false });
  });

  it("takes a change that drains sooner despite its rebalance", () => {
    // Staying: 5,000 / (90 - 84) = 833 s. Three replicas: (5,000 + 80 x 15) / (90 - 80) + 15 = 635 s.
    const partitions = [
      { production: 80, lag: 5000 },
      { production: 2, lag: 0 },
      { production: 2, lag: 0 },
    ];
    expect(sizeForBacklog(input({ partitions }))).toMatchObject({ replicas: 3, sufficient: false });
  });

  it("does not settle for a replica running at full capacity when others would have headroom", () => {
    // 100 ev/s on one replica of 100 keeps up only with no slack at all; with 3, the busiest reads
    // 80 and works off its rebalance backlog at 10 ev/s planned.
    const partitions = [
      { production: 80, lag: 0 },
      { production: 5, lag: 0 },
      { production: 15, lag: 0 },
    ];
    expect(sizeForBacklog(input({ partitions }))).toMatchObject({ replicas: 3, sufficient: false });
  });

  it("when no count ever drains, takes the most throughput the partitions allow", () => {
    // 150 ev/s per partition outruns any member; spreading them thinnest is the best there is.
    expect(sizeForBacklog(input({ partitions: even(3, 150, 1000) }))).toMatchObject({
      replicas: 3,
      sufficient: false,
    });
  });

  it("stays within the lower bound even when fewer replicas would do", () => {
    expect(sizeForBacklog(input({ partitions: even(3, 1, 0), lower: 2 })).replicas).toBe(2);
  });

  it("needs no replicas for an idle group when the lower bound allows zero", () => {
    expect(
      sizeForBacklog(input({ partitions: even(3, 0, 0), lower: 0, current: 0 })).replicas,
    ).toBe(0);
  });
});
