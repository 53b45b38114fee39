import { describe, expect, it } from "vitest";
import type { AnalyticsSnapshot } from "../../workloads/src/analytics/aggregator.js";
import { countedAll, sumFigures } from "./figures.js";

const snapshot = (o: Partial<AnalyticsSnapshot>) =>
  ({
    total_orders: 0,
    reserved_orders: 0,
    failed_orders: 0,
    processed_orders: 0,
    pending_orders: 0,
    events_processed: 0,
    duplicate_events: 0,
    invalid_events: 0,
    success_rate: 0,
    ...o,
  }) as AnalyticsSnapshot;

describe("sumFigures", () => {
  it("adds up the pods' counters and recomputes the success rate", () => {
    const f = sumFigures([
      snapshot({ total_orders: 6, processed_orders: 4, reserved_orders: 3, failed_orders: 1 }),
      snapshot({ total_orders: 4, processed_orders: 4, reserved_orders: 4, success_rate: 1 }),
    ]);
    expect(f).toMatchObject({
      pods: 2,
      total_orders: 10,
      processed_orders: 8,
      reserved_orders: 7,
      failed_orders: 1,
    });
    expect(f.success_rate).toBeCloseTo(7 / 8);
  });

  it("is all zeros without pods", () => {
    expect(sumFigures([])).toMatchObject({ pods: 0, total_orders: 0, success_rate: 0 });
  });
});

describe("countedAll", () => {
  it("needs every order counted and processed", () => {
    expect(countedAll({ total_orders: 10, processed_orders: 9 }, 10)).toBe(false);
    expect(countedAll({ total_orders: 10, processed_orders: 10 }, 10)).toBe(true);
  });
});
