import { describe, expect, it } from "vitest";
import { SlidingMinute } from "./sliding-window.js";

const at = (seconds: number) => Date.UTC(2026, 0, 1, 0, 0, 0) + seconds * 1000;

describe("SlidingMinute", () => {
  it("counts the last 60 seconds of event time, ending at the latest event", () => {
    const window = new SlidingMinute();
    for (let s = 0; s < 120; s++) window.add(at(s), true);
    expect(window.totals()).toMatchObject({ orders: 60, events: 60 });
    expect(window.totals()?.endSecond).toBe(at(120) / 1000);
  });

  it("ignores events older than the window and keeps only orders in the order count", () => {
    const window = new SlidingMinute();
    window.add(at(100), true);
    window.add(at(100), false);
    window.add(at(30), true);
    window.add(at(41), true);
    expect(window.totals()).toMatchObject({ orders: 2, events: 3 });
  });

  it("gives the same totals whatever order the events arrive in", () => {
    const times = Array.from({ length: 500 }, (_, i) => at((i * 37) % 150) + (i % 1000));
    const forward = new SlidingMinute();
    const backward = new SlidingMinute();
    for (const t of times) forward.add(t, true);
    for (const t of [...times].reverse()) backward.add(t, true);
    expect(backward.totals()).toEqual(forward.totals());
  });

  it("has no totals before the first event", () => {
    expect(new SlidingMinute().totals()).toBeUndefined();
  });
});
