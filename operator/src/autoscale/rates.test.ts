import { describe, expect, it } from "vitest";
import { reading, steadyReadings, T0 } from "../testing/lag-samples.js";
import { type GroupRates, groupRates, type KnownRates, recentWindow } from "./rates.js";

function known(rates: GroupRates): KnownRates {
  if (!rates.known) throw new Error(`rates unknown: ${rates.reason}`);
  return rates;
}

describe("groupRates", () => {
  it.each([
    { case: "no readings", samples: [], reason: "no offsets read yet" },
    {
      case: "a single reading",
      samples: [reading(0, [[100, 50]])],
      reason: "fewer than two readings at least 1 s apart in the last 30 s",
    },
    {
      case: "two readings under a second apart",
      samples: [reading(0, [[100, 50]]), reading(0.5, [[110, 55]])],
      reason: "fewer than two readings at least 1 s apart in the last 30 s",
    },
    {
      case: "the older reading is beyond the window (and its 10% slack)",
      samples: [reading(0, [[100, 50]]), reading(34, [[440, 390]])],
      reason: "fewer than two readings at least 1 s apart in the last 30 s",
    },
    {
      case: "committed offsets went back (a replay) right before the newest reading",
      samples: [reading(0, [[100, 90]]), reading(10, [[200, 190]]), reading(20, [[300, 0]])],
      reason: "offsets went back (a reset or replay); rates restart from the next reading",
    },
    {
      case: "the log end went back (the topic was recreated)",
      samples: [reading(0, [[100, 90]]), reading(10, [[5, 0]])],
      reason: "offsets went back (a reset or replay); rates restart from the next reading",
    },
  ])("is unknown with $case", ({ samples, reason }) => {
    expect(groupRates(samples, 30)).toEqual({ known: false, reason });
  });

  it("measures production from the log end and consumption from commits, per partition and summed", () => {
    const rates = known(
      groupRates(
        [
          reading(0, [
            [1000, 400],
            [2000, 2000],
          ]),
          reading(10, [
            [1500, 700],
            [2100, 2100],
          ]),
        ],
        30,
      ),
    );
    expect(rates).toMatchObject({
      from: T0,
      to: T0 + 10_000,
      seconds: 10,
      productionPerSecond: 60,
      consumptionPerSecond: 40,
    });
    expect(rates.partitions).toEqual([
      {
        topic: "orders",
        partition: 0,
        productionPerSecond: 50,
        consumptionPerSecond: 30,
        minLag: 600,
      },
      {
        topic: "orders",
        partition: 1,
        productionPerSecond: 10,
        consumptionPerSecond: 10,
        minLag: 0,
      },
    ]);
  });

  it("uses the newest readings that span the window, oldest of them as the baseline", () => {
    const samples = steadyReadings({
      count: 6,
      everySeconds: 10,
      start: [[0, 0]],
      produce: [100],
      consume: [80],
    });
    const rates = known(groupRates(samples, 30));
    expect([rates.from - T0, rates.to - T0, rates.seconds]).toEqual([20_000, 50_000, 30]);
    expect(rates.productionPerSecond).toBe(100);
    expect(rates.consumptionPerSecond).toBe(80);
  });

  it("keeps a baseline up to 10% older than the window, so read jitter does not shrink it", () => {
    const rates = known(groupRates([reading(0, [[0, 0]]), reading(32.5, [[325, 325]])], 30));
    expect(rates.seconds).toBe(32.5);
    expect(rates.productionPerSecond).toBe(10);
  });

  it("gives the same answer whatever order the readings come in", () => {
    const samples = steadyReadings({
      count: 4,
      everySeconds: 10,
      start: [
        [100, 0],
        [50, 50],
      ],
      produce: [20, 5],
      consume: [30, 5],
    });
    expect(groupRates([...samples].reverse(), 30)).toEqual(groupRates(samples, 30));
  });

  it("starts the window after offsets went back, so a replay never shows as negative consumption", () => {
    const rates = known(
      groupRates(
        [
          reading(0, [[1000, 900]]),
          reading(10, [[1100, 1000]]),
          reading(20, [[1200, 0]]),
          reading(30, [[1300, 200]]),
        ],
        60,
      ),
    );
    expect([rates.from - T0, rates.consumptionPerSecond, rates.productionPerSecond]).toEqual([
      20_000, 20, 10,
    ]);
  });

  it("leaves a partition that appeared within the window out of the sums until it has a baseline", () => {
    const before = reading(0, [[100, 100]]);
    const after = reading(10, [
      [200, 200],
      [500, 0],
    ]);
    const rates = known(groupRates([before, after], 30));
    expect(rates.partitions[1]).toMatchObject({
      partition: 1,
      productionPerSecond: null,
      consumptionPerSecond: null,
      minLag: 0,
    });
    expect(rates.productionPerSecond).toBe(10);
    expect(rates.consumptionPerSecond).toBe(10);
  });

  it("does not know the consumption of a partition the group had not committed at the baseline", () => {
    const rates = known(groupRates([reading(0, [[100, null]]), reading(10, [[150, 40]])], 30));
    expect(rates.partitions[0]).toMatchObject({
      productionPerSecond: 5,
      consumptionPerSecond: null,
    });
    expect(rates.consumptionPerSecond).toBe(0);
  });

  it("takes the smallest lag of the window for each partition", () => {
    const rates = known(
      groupRates(
        [reading(0, [[100, 40]]), reading(10, [[200, 190]]), reading(20, [[300, 200]])],
        30,
      ),
    );
    expect(rates.partitions[0]?.minLag).toBe(10);
  });
});

describe("recentWindow", () => {
  it.each([
    { case: "no readings", at: [], window: 30, want: [], reset: false },
    { case: "one reading", at: [5], window: 30, want: [5], reset: false },
    {
      case: "all within the window",
      at: [0, 10, 20, 30],
      window: 30,
      want: [0, 10, 20, 30],
      reset: false,
    },
    {
      case: "older ones drop out",
      at: [0, 10, 20, 30, 40],
      window: 25,
      want: [20, 30, 40],
      reset: false,
    },
    { case: "a 10% slack", at: [0, 33], window: 30, want: [0, 33], reset: false },
    { case: "just past the slack", at: [0, 33.1], window: 30, want: [33.1], reset: false },
  ])("keeps $case", ({ at, window, want, reset }) => {
    const samples = at.map((s) => reading(s, [[s * 10, s * 10]]));
    const got = recentWindow(samples, window);
    expect(got.samples.map((s) => (s.observedAt - T0) / 1000)).toEqual(want);
    expect(got.reset).toBe(reset);
  });

  it("stops at the newest step where committed offsets went back and says so", () => {
    const got = recentWindow(
      [reading(0, [[100, 90]]), reading(10, [[110, 5]]), reading(20, [[120, 10]])],
      60,
    );
    expect(got.samples.map((s) => (s.observedAt - T0) / 1000)).toEqual([10, 20]);
    expect(got.reset).toBe(true);
  });
});
