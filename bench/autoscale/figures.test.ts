import { describe, expect, it } from "vitest";
import { meanFigures, type RunFigures, runFigures } from "./figures.js";
import type { Trace } from "./simulator.js";

/** A trace from lag and replicas per second (t = 1, 2, ...). */
const trace = (lags: number[], replicas: number[], changes = 0): Trace => ({
  points: lags.map((lag, i) => ({ t: i + 1, lag, replicas: replicas[i] ?? 1 })),
  changes: Array.from({ length: changes }, (_, i) => ({ t: i, from: 1, to: 2 })),
});

describe("runFigures", () => {
  it("counts every second that starts or ends with a backlog, over all backlogs", () => {
    // Two backlogs: seconds 1-3 end behind and second 4 starts behind (4 s); seconds 7-8 (2 s + 1).
    const f = runFigures(trace([0, 500, 300, 100, 0, 0, 0, 200, 50, 0], []));
    expect(f.drainSeconds).toBe(4 + 3);
    expect(f.longestDrainSeconds).toBe(4);
    expect(f.peakLag).toBe(500);
  });

  it("does not count a lag under one event as behind", () => {
    expect(runFigures(trace([0.4, 0.2, 0], [])).drainSeconds).toBe(0);
  });

  it("integrates the Deployment's replicas and reports the most and the changes", () => {
    const f = runFigures(trace([0, 0, 0, 0], [1, 3, 3, 2], 2));
    expect(f).toMatchObject({ replicaSeconds: 9, maxReplicas: 3, scalingChanges: 2 });
  });
});

describe("meanFigures", () => {
  const figures = (n: number, maxReplicas: number): RunFigures => ({
    drainSeconds: n,
    longestDrainSeconds: n,
    peakLag: n,
    replicaSeconds: n,
    scalingChanges: n,
    maxReplicas,
  });

  it("averages runs, except the most replicas, which is the highest of any run", () => {
    expect(meanFigures([figures(10, 3), figures(20, 4)])).toEqual({ ...figures(15, 4) });
  });
});
