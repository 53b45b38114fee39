import { describe, expect, it } from "vitest";
import { quantile, round } from "./stats.js";

describe("quantile", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted

  it.each([
    [0.5, 50],
    [0.95, 95],
    [0.99, 99],
    [1, 100],
    [0, 1],
  ])("q=%s of 1..100 is %s by nearest rank", (q, expected) => {
    expect(quantile(hundred, q)).toBe(expected);
  });

  it("is NaN with no samples", () => {
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe("round", () => {
  it("keeps two decimals for small figures and none for large ones", () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(51234.7)).toBe(51235);
  });
});
