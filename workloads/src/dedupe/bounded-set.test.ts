import { describe, expect, it } from "vitest";
import { BoundedSet } from "./bounded-set.js";

describe("BoundedSet", () => {
  it("forgets the oldest key beyond its capacity", () => {
    const set = new BoundedSet(2);
    set.add("a");
    set.add("b");
    set.add("a");
    set.add("c");
    expect([set.has("a"), set.has("b"), set.has("c")]).toEqual([false, true, true]);
    expect(set.size).toBe(2);
  });

  it("remembers nothing with capacity 0", () => {
    const set = new BoundedSet(0);
    set.add("a");
    expect(set.has("a")).toBe(false);
  });
});
