import { describe, expect, it } from "vitest";
import { exponentialBackoff, formatDuration } from "./backoff.js";

describe("exponentialBackoff", () => {
  it.each([
    { failures: 0, want: 500 },
    { failures: 1, want: 1000 },
    { failures: 3, want: 4000 },
    { failures: 10, want: 60_000 },
    { failures: 5000, want: 60_000 },
  ])("waits $want ms after $failures failures (base 500 ms, max 60 s)", ({ failures, want }) => {
    expect(exponentialBackoff(failures, 500, 60_000)).toBe(want);
  });
});

describe("formatDuration", () => {
  it.each([
    { ms: 250, want: "250ms" },
    { ms: 2000, want: "2s" },
    { ms: 60_000, want: "1m" },
    { ms: 90_000, want: "1m30s" },
  ])("formats $ms ms as $want", ({ ms, want }) => {
    expect(formatDuration(ms)).toBe(want);
  });
});
