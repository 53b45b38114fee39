import { describe, expect, it } from "vitest";
import type { Scenario } from "./scenarios.js";
import { type GroupReading, type ReplicaController, shareCapacity, simulate } from "./simulator.js";

/** `backlog[p]` events land on partition p in second 0, then nothing. */
const backlogOnly = (backlog: number[], durationSeconds = 30): Scenario => ({
  name: "backlog",
  title: "a backlog",
  partitions: backlog.length,
  durationSeconds,
  produced: (t, p) => (t === 0 ? (backlog[p] ?? 0) : 0),
});

/** Keeps whatever replicas the group has, remembering what it read. */
function holding(syncPeriodSeconds = 10): ReplicaController & { readings: GroupReading[] } {
  const readings: GroupReading[] = [];
  return {
    syncPeriodSeconds,
    readings,
    sync: (reading) => {
      readings.push(reading);
      return reading.replicas;
    },
  };
}

/** Asks for `replicas` at every sync. */
const asking = (replicas: number, syncPeriodSeconds = 10): ReplicaController => ({
  syncPeriodSeconds,
  sync: () => replicas,
});

const lagAt = (trace: ReturnType<typeof simulate>, t: number) =>
  trace.points.find((p) => p.t === t)?.lag;

describe("shareCapacity", () => {
  it.each([
    {
      case: "splits equally among partitions with backlog",
      capacity: 90,
      lags: [100, 100, 100],
      want: [30, 30, 30],
    },
    {
      case: "hands what a small backlog leaves to the others",
      capacity: 90,
      lags: [10, 100, 100],
      want: [10, 40, 40],
    },
    { case: "takes no more than there is", capacity: 100, lags: [5, 0, 5], want: [5, 0, 5] },
  ])("$case", ({ capacity, lags, want }) => {
    expect(shareCapacity(capacity, lags)).toEqual(want);
  });
});

describe("simulate", () => {
  const consumer = { perReplica: 100, rebalanceSeconds: 5 };

  it("drains a 1,000-event backlog with one replica of 100 events/s in 10 s", () => {
    const trace = simulate(backlogOnly([1000]), holding(), consumer, { initialReplicas: 1 });
    expect(lagAt(trace, 1)).toBe(900);
    expect(lagAt(trace, 9)).toBe(100);
    expect(lagAt(trace, 10)).toBe(0);
  });

  it("gives each member its round-robin share: of 2 replicas on 3 partitions, the first reads two", () => {
    // Member 0 reads partitions 0 and 2 at 50 events/s each; member 1 reads partition 1 at 100.
    const trace = simulate(backlogOnly([300, 300, 300]), holding(), consumer, {
      initialReplicas: 2,
    });
    expect(lagAt(trace, 3)).toBe(300);
    expect(lagAt(trace, 6)).toBe(0);
  });

  it("stops the whole group for the rebalance after a change, then consumes with the new count", () => {
    // Asked for 2 at the first sync (second 0): nothing for 5 s, then 200 events/s.
    const trace = simulate(backlogOnly([1000, 1000]), asking(2), consumer, { initialReplicas: 1 });
    expect(lagAt(trace, 5)).toBe(2000);
    expect(lagAt(trace, 14)).toBe(200);
    expect(lagAt(trace, 15)).toBe(0);
    expect(trace.changes).toEqual([{ t: 0, from: 1, to: 2 }]);
  });

  it("consumes nothing with no replicas", () => {
    const trace = simulate(backlogOnly([500]), holding(), consumer, { initialReplicas: 0 });
    expect(trace.points.at(-1)?.lag).toBe(500);
  });

  it("reads the group's offsets to the controller every sync period from its first sync", () => {
    const controller = holding(10);
    simulate(backlogOnly([1000], 30), controller, consumer, {
      initialReplicas: 1,
      firstSyncSeconds: 3,
    });
    expect(controller.readings.map((r) => r.at)).toEqual([3000, 13_000, 23_000]);
    // At 3 s, 3 seconds of 100 events/s have been read: committed 300 of 1,000.
    expect(controller.readings[0]?.partitions).toEqual([
      { topic: "orders", partition: 0, logStart: 0, logEnd: 1000, committed: 300, lag: 700 },
    ]);
    expect(controller.readings[0]).toMatchObject({ members: 1, replicas: 1 });
  });

  it("records a change only when the controller asks for a different count", () => {
    const trace = simulate(backlogOnly([0], 40), asking(2), consumer, { initialReplicas: 1 });
    expect(trace.changes).toHaveLength(1);
    expect(trace.points.map((p) => p.replicas)).toEqual([...Array(40)].map(() => 2));
  });
});
