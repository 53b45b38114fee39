import { describe, expect, it } from "vitest";
import { type PartitionOffsets, partitionLag, totalLag, withLag } from "./lag.js";

const offsets = (o: Partial<PartitionOffsets>): PartitionOffsets => ({
  topic: "order-events",
  partition: 0,
  logStart: 0,
  logEnd: 0,
  committed: null,
  ...o,
});

describe("partitionLag", () => {
  it.each([
    ["a committed group behind the log end", { logEnd: 100, committed: 40 }, "earliest", 60],
    ["a committed group at the log end", { logEnd: 100, committed: 100 }, "earliest", 0],
    [
      "no commit, earliest: what is still in the log",
      { logStart: 30, logEnd: 100 },
      "earliest",
      70,
    ],
    ["no commit, latest: nothing old is read", { logStart: 30, logEnd: 100 }, "latest", 0],
    [
      "a commit that retention overtook counts from the log start",
      { logStart: 50, logEnd: 80, committed: 10 },
      "earliest",
      30,
    ],
    ["an empty partition", {}, "earliest", 0],
    [
      "a commit ahead of the log end (truncated log) is not negative",
      { logEnd: 5, committed: 9 },
      "earliest",
      0,
    ],
  ] as const)("%s", (_name, o, reset, expected) => {
    expect(partitionLag(offsets(o), reset)).toBe(expected);
  });
});

describe("totalLag", () => {
  it("adds every partition's lag", () => {
    const parts = withLag(
      [offsets({ partition: 0, logEnd: 10, committed: 5 }), offsets({ partition: 1, logEnd: 7 })],
      "earliest",
    );
    expect(parts.map((p) => p.lag)).toEqual([5, 7]);
    expect(totalLag(parts)).toBe(12);
  });
});
