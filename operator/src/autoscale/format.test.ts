import { describe, expect, it } from "vitest";
import { count, rate, replicas, seconds } from "./format.js";

describe("numbers as people read them", () => {
  it.each([
    [count(12_000.4), "12,000"],
    [count(0), "0"],
    [rate(2_099.6), "2,100 ev/s"],
    [seconds(38.2), "38 s"],
    [replicas(1), "1 replica"],
    [replicas(0), "0 replicas"],
    [replicas(3), "3 replicas"],
  ])("%s", (got, want) => {
    expect(got).toBe(want);
  });
});
