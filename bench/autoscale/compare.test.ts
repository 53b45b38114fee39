import { describe, expect, it } from "vitest";
import { compareOnScenario, defaultSettings } from "./compare.js";
import { scenarios } from "./scenarios.js";

// Properties of the whole model on every scenario; the figures themselves are the benchmark's.
const settings = defaultSettings;

describe.each(scenarios().map((s) => [s.name, s] as const))("on %s", (_, scenario) => {
  const result = compareOnScenario(scenario, settings);

  it("no policy drains sooner than a replica per partition from the start", () => {
    const floor = result.references.floor.drainSeconds;
    expect(result.ours.figures.drainSeconds).toBeGreaterThanOrEqual(floor);
    expect(result.keda.figures.drainSeconds).toBeGreaterThanOrEqual(floor);
    expect(result.references.fastestReactive.drainSeconds).toBeGreaterThanOrEqual(floor);
  });

  it("our policy never runs more replicas than partitions in any sync phase", () => {
    expect(result.ours.figures.maxReplicas).toBeLessThanOrEqual(scenario.partitions);
  });

  it("runs each policy once per second of its sync period", () => {
    expect(result.ours.phases).toBe(settings.spec.syncPeriodSeconds);
    expect(result.keda.phases).toBe(15);
  });
});
