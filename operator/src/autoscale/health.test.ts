import { describe, expect, it } from "vitest";
import { type PartitionReading, reading, steadyReadings } from "../testing/lag-samples.js";
import { groupHealth, type HealthSample } from "./health.js";

/** Readings of one partition every 10 s: [logEnd, committed] each. */
function readings(
  rows: ReadonlyArray<readonly [number, number | null]>,
  options: { members?: number; states?: readonly string[] } = {},
): HealthSample[] {
  return rows.map((row, i) =>
    reading(i * 10, [row], {
      members: options.members ?? 1,
      ...(options.states?.[i] ? { state: options.states[i] } : {}),
    }),
  );
}

describe("groupHealth", () => {
  it.each([
    {
      case: "OK when the group caught up at some reading (Burrow's first rule)",
      samples: readings([
        [100, 50],
        [200, 200],
        [300, 250],
      ]),
      status: "OK",
      reason: "Healthy",
    },
    {
      case: "OK when lag shrinks while offsets advance",
      samples: readings([
        [1000, 0],
        [1100, 300],
        [1200, 600],
      ]),
      status: "OK",
      reason: "Healthy",
    },
    {
      case: "OK when lag grew overall but shrank between two readings",
      samples: readings([
        [1000, 900],
        [1200, 1000],
        [1300, 1250],
        [1500, 1300],
      ]),
      status: "OK",
      reason: "Healthy",
    },
    {
      case: "WARN when offsets advance but lag grew at every reading",
      samples: readings([
        [1000, 900],
        [1200, 1000],
        [1400, 1100],
      ]),
      status: "WARN",
      reason: "LagGrowing",
    },
    {
      case: "OK (not WARN) when lag stayed exactly the same: it grew at no reading",
      samples: readings([
        [1000, 900],
        [1100, 1000],
        [1200, 1100],
      ]),
      status: "OK",
      reason: "Healthy",
    },
    {
      case: "STALL when members are there but committed offsets did not move",
      samples: readings([
        [1000, 500],
        [1100, 500],
        [1200, 500],
      ]),
      status: "STALL",
      reason: "ConsumersStalled",
    },
    {
      case: "STALL when members are there and never committed at all",
      samples: readings([
        [1000, null],
        [1100, null],
      ]),
      status: "STALL",
      reason: "ConsumersStalled",
    },
    {
      case: "STOP when the group has no members and lag stays above zero",
      samples: readings(
        [
          [1000, 500],
          [1000, 500],
        ],
        { members: 0 },
      ),
      status: "STOP",
      reason: "ConsumersStopped",
    },
    {
      case: "STOP from the first reading when nobody consumes a backlog",
      samples: readings([[1000, 500]], { members: 0 }),
      status: "STOP",
      reason: "ConsumersStopped",
    },
    {
      case: "OK with no members and no lag (nothing to do)",
      samples: readings(
        [
          [1000, 1000],
          [1000, 1000],
        ],
        { members: 0 },
      ),
      status: "OK",
      reason: "Healthy",
    },
    {
      case: "OK from a single reading with members and lag (no trend yet)",
      samples: readings([[1000, 500]]),
      status: "OK",
      reason: "Healthy",
    },
    {
      case: "not STALL when the group was rebalancing part of the window",
      samples: readings(
        [
          [1000, 500],
          [1000, 500],
          [1000, 500],
        ],
        { states: ["Stable", "PreparingRebalance", "Stable"] },
      ),
      status: "OK",
      reason: "Healthy",
    },
    {
      case: "WARN, not STALL, when lag grew while the group was rebalancing part of the window",
      samples: readings(
        [
          [1000, 500],
          [1100, 500],
          [1200, 500],
        ],
        { states: ["Stable", "CompletingRebalance", "Stable"] },
      ),
      status: "WARN",
      reason: "LagGrowing",
    },
    {
      case: "STALL when the group was rebalancing the whole window (an endless rebalance)",
      samples: readings(
        [
          [1000, 500],
          [1100, 500],
        ],
        { states: ["PreparingRebalance", "CompletingRebalance"] },
      ),
      status: "STALL",
      reason: "ConsumersStalled",
    },
  ])("$case", ({ samples, status, reason }) => {
    const health = groupHealth(samples, 120);
    expect([health.status, health.reason]).toEqual([status, reason]);
  });

  it("is OK with no readings yet", () => {
    expect(groupHealth([])).toEqual({
      status: "OK",
      reason: "Healthy",
      message: "no readings yet",
      partitions: [],
      windowSeconds: 0,
    });
  });

  it("judges the group by its worst partition and names the partitions in the message", () => {
    const row = (t: number, stuck: number): PartitionReading[] => [
      [100 + t * 10, 100 + t * 10],
      { topic: "orders", partition: 1, logEnd: 500 + t * 10, committed: stuck },
      { topic: "orders", partition: 2, logEnd: 900, committed: 850 + t },
    ];
    const health = groupHealth(
      [0, 10, 20].map((t) => reading(t, row(t, 300), { members: 2 })),
      120,
    );
    expect(health.status).toBe("STALL");
    expect(health.partitions.map((p) => p.status)).toEqual(["OK", "STALL", "OK"]);
    expect(health.partitions[1]).toMatchObject({ lag: 400, lagChange: 200, consumed: 0 });
    expect(health.windowSeconds).toBe(20);
    expect(health.message).toBe(
      "1 of 3 partitions (orders/1): 2 members, but committed offsets did not move for 20 s with lag 400",
    );
  });

  it.each([
    {
      status: "OK",
      samples: readings([
        [1000, 0],
        [2000, 1500],
      ]),
      message: "lag 500; the group keeps up",
    },
    {
      status: "WARN",
      samples: readings([
        [10_000, 9_000],
        [12_000, 10_000],
        [14_000, 11_000],
      ]),
      message:
        "1 of 1 partitions (orders/0): lag grew at every reading for 20 s, now 3,000; the group consumes slower than production",
    },
    {
      status: "STOP",
      samples: readings([[1000, 0]], { members: 0 }),
      message: "1 of 1 partitions (orders/0): lag 1,000 and the group has no members",
    },
  ])("says what $status means with the numbers", ({ samples, message }) => {
    expect(groupHealth(samples, 120).message).toBe(message);
  });

  it("shortens the list of partitions named in a message past five", () => {
    const stuck = Array.from({ length: 7 }, () => [1000, 0] as const);
    const health = groupHealth([reading(0, stuck, { members: 0 })], 120);
    expect(health.message).toBe(
      "7 of 7 partitions (orders/0, orders/1, orders/2, orders/3, orders/4 and 2 more): lag 7,000 and the group has no members",
    );
  });

  it("looks only at the window: an old stall followed by progress is OK", () => {
    const old = readings([
      [1000, 500],
      [1100, 500],
      [1200, 500],
    ]);
    const recent = steadyReadings({
      from: 300,
      count: 3,
      everySeconds: 10,
      start: [[1500, 1200]],
      produce: [10],
      consume: [20],
    });
    expect(groupHealth([...old, ...recent], 60).status).toBe("OK");
    expect(groupHealth([...old, ...recent], 600).status).toBe("OK");
    expect(groupHealth(old, 600).status).toBe("STALL");
  });

  it("restarts the window after a replay moved offsets back, so the rewind is not a stall", () => {
    const samples = [
      reading(0, [[1000, 1000]]),
      reading(10, [[1000, 0]]),
      reading(20, [[1000, 300]]),
      reading(30, [[1000, 600]]),
    ];
    const health = groupHealth(samples, 120);
    expect(health.status).toBe("OK");
    expect(health.windowSeconds).toBe(20);
  });

  it("does not call a partition that appeared mid-window healthy for the readings it was missing from", () => {
    const samples = [
      reading(0, [[100, 100]], { members: 0 }),
      reading(10, [[100, 100], { partition: 1, logEnd: 50, committed: null }], { members: 0 }),
    ];
    const health = groupHealth(samples, 120);
    expect(health.partitions.map((p) => p.status)).toEqual(["OK", "STOP"]);
    expect(health.status).toBe("STOP");
  });
});
