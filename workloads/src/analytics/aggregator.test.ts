import { describe, expect, it } from "vitest";
import { anOrder, aResult, bytes } from "../../test/factories.js";
import { encodeEvent } from "../events/codec.js";
import type { PipelineEvent } from "../events/types.js";
import { OrderAnalytics } from "./aggregator.js";

const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** `n` orders one every `everyMs`, each with a result (every 10th fails). */
function stream(n: number, everyMs: number): PipelineEvent[] {
  const events: PipelineEvent[] = [];
  for (let i = 0; i < n; i++) {
    const order = anOrder({ timestamp: iso(t0 + i * everyMs) });
    events.push(order, aResult(order, i % 10 !== 0));
  }
  return events;
}

function feed(
  events: PipelineEvent[],
  analytics = new OrderAnalytics({ dedupeCapacity: 100_000 }),
) {
  for (const event of events) analytics.ingestMessage(Buffer.from(encodeEvent(event)));
  return analytics;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe("OrderAnalytics", () => {
  it("starts at zero with no window", () => {
    expect(new OrderAnalytics({ dedupeCapacity: 10 }).snapshot()).toEqual({
      total_orders: 0,
      reserved_orders: 0,
      failed_orders: 0,
      processed_orders: 0,
      pending_orders: 0,
      success_rate: 0,
      failure_rate: 0,
      orders_per_minute: 0,
      throughput_per_second: 0,
      window_seconds: 0,
      window_start: null,
      window_end: null,
      first_event_at: null,
      last_event_at: null,
      events_processed: 0,
      duplicate_events: 0,
      invalid_events: 0,
    });
  });

  it("counts totals, outcomes and rates", () => {
    const snapshot = feed(stream(100, 10)).snapshot();
    expect(snapshot).toMatchObject({
      total_orders: 100,
      reserved_orders: 90,
      failed_orders: 10,
      processed_orders: 100,
      pending_orders: 0,
      success_rate: 0.9,
      failure_rate: 0.1,
      events_processed: 200,
    });
  });

  it("counts orders per minute over the last minute of event time, not the wall clock", () => {
    // 180 orders, one a second over three minutes, all from long ago.
    const snapshot = feed(stream(180, 1000)).snapshot();
    expect(snapshot.orders_per_minute).toBe(60);
    expect(snapshot.window_seconds).toBe(60);
    expect(snapshot.throughput_per_second).toBe(2);
    expect(snapshot.window_end).toBe(iso(t0 + 180_000));
    expect(snapshot.window_start).toBe(iso(t0 + 120_000));
    expect(snapshot.last_event_at).toBe(iso(t0 + 179_000));
  });

  it("averages throughput over the span of the events when they cover less than a minute", () => {
    // 100 orders in 10 seconds: 10 orders and 10 results per second.
    const snapshot = feed(stream(100, 100)).snapshot();
    expect(snapshot.window_seconds).toBe(10);
    expect(snapshot.throughput_per_second).toBe(20);
    expect(snapshot.orders_per_minute).toBe(100);
  });

  it("counts a redelivered or duplicated event once", () => {
    const events = stream(50, 10);
    const snapshot = feed([...events, ...events.slice(0, 20)]).snapshot();
    expect(snapshot.total_orders).toBe(50);
    expect(snapshot.processed_orders).toBe(50);
    expect(snapshot.duplicate_events).toBe(20);
  });

  it("counts invalid messages without letting them change the figures", () => {
    const analytics = feed(stream(10, 10));
    analytics.ingestMessage(bytes("garbage"));
    analytics.ingestMessage(null);
    analytics.ingestMessage(bytes({ event_type: "OrderPlaced" }));
    expect(analytics.snapshot()).toMatchObject({ total_orders: 10, invalid_events: 3 });
  });

  it("gives identical figures for a replay, whatever order the partitions interleave in", () => {
    const events = [...stream(3000, 37), ...stream(10, 1)];
    const first = feed(events).snapshot();
    expect(feed(shuffled(events, 7)).snapshot()).toEqual(first);
    expect(feed(shuffled(events, 99)).snapshot()).toEqual(first);
  });

  it("reports pending orders whose result has not arrived", () => {
    const order = anOrder();
    expect(feed([order]).snapshot()).toMatchObject({
      total_orders: 1,
      processed_orders: 0,
      pending_orders: 1,
    });
  });
});
