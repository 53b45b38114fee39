import { describe, expect, it } from "vitest";
import { reading, steadyReadings, T0 } from "../testing/lag-samples.js";
import { observe } from "./observation.js";

describe("observe", () => {
  it("has nothing to observe before the first reading", () => {
    expect(observe([], { currentReplicas: 1, syncPeriodSeconds: 10 })).toBeUndefined();
  });

  it("takes offsets and members from the newest reading, whatever the order", () => {
    const older = reading(0, [[100, 50]], { members: 1 });
    const newer = reading(10, [[200, 60]], { members: 3 });
    const obs = observe([newer, older], { currentReplicas: 2, syncPeriodSeconds: 10 });
    expect(obs).toMatchObject({
      at: T0 + 10_000,
      members: 3,
      currentReplicas: 2,
      paused: false,
    });
    expect(obs?.partitions.map((p) => p.lag)).toEqual([140]);
  });

  it("plans on rates over the rate window, and sees the latest sync period apart", () => {
    // 100 ev/s for 30 s, then a burst of 500 ev/s in the last 10 s.
    const calm = steadyReadings({
      count: 4,
      everySeconds: 10,
      start: [[0, 0]],
      produce: [100],
      consume: [100],
    });
    const burst = reading(40, [[3000 + 5000, 4000]]);
    const obs = observe([...calm, burst], { currentReplicas: 1, syncPeriodSeconds: 10 });
    // The rate window (10 s to 40 s) spreads the burst: (8,000 - 1,000) / 30.
    expect(obs?.rates).toMatchObject({ known: true, seconds: 30, productionPerSecond: 7000 / 30 });
    expect(obs?.recent).toMatchObject({ known: true, seconds: 10, productionPerSecond: 500 });
  });

  it.each([
    { syncPeriodSeconds: 10, rateWindowSeconds: undefined, seconds: 30 },
    { syncPeriodSeconds: 10, rateWindowSeconds: 60, seconds: 60 },
    { syncPeriodSeconds: 45, rateWindowSeconds: undefined, seconds: 45 },
    { syncPeriodSeconds: 120, rateWindowSeconds: 30, seconds: 120 },
  ])(
    "knows rates with a $syncPeriodSeconds s sync period and a $rateWindowSeconds s rate window",
    ({ syncPeriodSeconds, rateWindowSeconds, seconds }) => {
      const samples = steadyReadings({
        count: 10,
        everySeconds: syncPeriodSeconds,
        start: [[0, 0]],
        produce: [10],
        consume: [10],
      });
      const obs = observe(samples, {
        currentReplicas: 1,
        syncPeriodSeconds,
        ...(rateWindowSeconds === undefined ? {} : { rateWindowSeconds }),
      });
      expect(obs?.rates).toMatchObject({ known: true, seconds, productionPerSecond: 10 });
      expect(obs?.recent).toMatchObject({ known: true, seconds: syncPeriodSeconds });
    },
  );

  it("passes a replay's pause through to the policy", () => {
    const obs = observe([reading(0, [[10, 0]])], {
      currentReplicas: 0,
      syncPeriodSeconds: 10,
      paused: true,
    });
    expect(obs?.paused).toBe(true);
    expect(obs?.rates.known).toBe(false);
  });
});
