import { BoundedSet } from "../dedupe/bounded-set.js";
import { decodePipelineEvent } from "../events/codec.js";
import type { PipelineEvent } from "../events/types.js";
import { SlidingMinute } from "./sliding-window.js";

/** The analytics figures; plain JSON, a pure function of the set of events consumed. */
export interface AnalyticsSnapshot {
  total_orders: number;
  reserved_orders: number;
  failed_orders: number;
  /** Orders with an inventory result (reserved + failed). */
  processed_orders: number;
  /** Orders without a result yet. */
  pending_orders: number;
  /** reserved / processed; 0 before the first result. */
  success_rate: number;
  /** failed / processed; 0 before the first result. */
  failure_rate: number;
  /** OrderPlaced events in the last minute of event time. */
  orders_per_minute: number;
  /** Events of both topics per second over the window (event time). */
  throughput_per_second: number;
  /** Seconds the throughput is averaged over: 60, or less when the events span less. */
  window_seconds: number;
  window_start: string | null;
  window_end: string | null;
  first_event_at: string | null;
  last_event_at: string | null;
  /** Distinct events counted. */
  events_processed: number;
  duplicate_events: number;
  invalid_events: number;
}

/**
 * Totals, rates and windows over order and inventory events, from their timestamps only, so a
 * replay of the same events gives the identical snapshot. Events are deduplicated by event_id.
 */
export class OrderAnalytics {
  private readonly seen: BoundedSet;
  private readonly window = new SlidingMinute();
  private totalOrders = 0;
  private reserved = 0;
  private failed = 0;
  private unique = 0;
  private duplicates = 0;
  private invalid = 0;
  private firstTime = Number.POSITIVE_INFINITY;
  private lastTime = Number.NEGATIVE_INFINITY;

  constructor(options: { dedupeCapacity: number }) {
    this.seen = new BoundedSet(options.dedupeCapacity);
  }

  /** Decodes and counts one message of either topic; invalid ones are only counted as such. */
  ingestMessage(value: Buffer | null): void {
    const decoded = decodePipelineEvent(value);
    if (decoded.ok) this.ingest(decoded.event, decoded.time);
    else this.invalid++;
  }

  /** Counts an event unless its event_id was seen before; returns whether it counted. */
  ingest(event: PipelineEvent, timeMs: number): boolean {
    if (this.seen.has(event.event_id)) {
      this.duplicates++;
      return false;
    }
    this.seen.add(event.event_id);
    this.unique++;
    const isOrder = event.event_type === "OrderPlaced";
    if (isOrder) this.totalOrders++;
    else if (event.success) this.reserved++;
    else this.failed++;
    if (timeMs < this.firstTime) this.firstTime = timeMs;
    if (timeMs > this.lastTime) this.lastTime = timeMs;
    this.window.add(timeMs, isOrder);
    return true;
  }

  snapshot(): AnalyticsSnapshot {
    const processed = this.reserved + this.failed;
    const window = this.window.totals();
    const firstSecond = Math.floor(this.firstTime / 1000);
    const windowSeconds =
      window === undefined
        ? 0
        : Math.min(60, window.endSecond - Math.max(window.startSecond, firstSecond));
    return {
      total_orders: this.totalOrders,
      reserved_orders: this.reserved,
      failed_orders: this.failed,
      processed_orders: processed,
      pending_orders: Math.max(0, this.totalOrders - processed),
      success_rate: ratio(this.reserved, processed),
      failure_rate: ratio(this.failed, processed),
      orders_per_minute: window?.orders ?? 0,
      throughput_per_second: window && windowSeconds > 0 ? ratio(window.events, windowSeconds) : 0,
      window_seconds: windowSeconds,
      window_start: window ? new Date(window.startSecond * 1000).toISOString() : null,
      window_end: window ? new Date(window.endSecond * 1000).toISOString() : null,
      first_event_at: this.unique > 0 ? new Date(this.firstTime).toISOString() : null,
      last_event_at: this.unique > 0 ? new Date(this.lastTime).toISOString() : null,
      events_processed: this.unique,
      duplicate_events: this.duplicates,
      invalid_events: this.invalid,
    };
  }
}

/** A ratio rounded to 6 decimals, 0 when the denominator is. */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : Math.round((numerator / denominator) * 1e6) / 1e6;
}
