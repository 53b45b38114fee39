import { describe, expect, it } from "vitest";
import { Sampler } from "./sampler.js";

describe("Sampler", () => {
  it("keeps one series per probe, skips failed reads and reports each peak", async () => {
    const values = [3, 7, 2];
    let failed = false;
    const sampler = new Sampler([
      { name: "lag", read: async () => values.shift() ?? 0 },
      {
        name: "flaky",
        read: async () => {
          failed = !failed;
          if (failed) throw new Error("unreachable");
          return 5;
        },
      },
    ]);
    await sampler.sample();
    await sampler.sample();
    await sampler.sample();
    const [lag, flaky] = sampler.series();
    expect(lag?.name).toBe("lag");
    expect(lag?.points.map(([, y]) => y)).toEqual([3, 7, 2]);
    expect(flaky?.points.map(([, y]) => y)).toEqual([5]);
    expect(sampler.peak("lag")).toBe(7);
    expect(sampler.peak("missing")).toBe(0);
  });

  it("samples until stopped, and once more at the stop", async () => {
    let reads = 0;
    const sampler = new Sampler([{ name: "n", read: async () => ++reads }], 5);
    sampler.start();
    await new Promise((r) => setTimeout(r, 40));
    await sampler.stop();
    const after = reads;
    await new Promise((r) => setTimeout(r, 20));
    expect(reads).toBe(after);
    expect(after).toBeGreaterThan(2);
    const xs = sampler.series()[0]?.points.map(([x]) => x) ?? [];
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });
});
