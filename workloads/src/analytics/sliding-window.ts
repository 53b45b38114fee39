const SLOTS = 60;

interface Slot {
  second: number;
  orders: number;
  events: number;
}

/**
 * Counts per second of event time over the last 60 seconds of event time, ending at the latest
 * event seen (the watermark), never at the wall clock. The counts after a set of events do not
 * depend on the order they arrived in: an event older than the window when it arrives is not
 * counted, and a slot is reused only once its second has left the window.
 */
export class SlidingMinute {
  private readonly slots: Slot[] = Array.from({ length: SLOTS }, () => ({
    second: Number.NEGATIVE_INFINITY,
    orders: 0,
    events: 0,
  }));
  private watermark = Number.NEGATIVE_INFINITY;

  add(timeMs: number, isOrder: boolean): void {
    const second = Math.floor(timeMs / 1000);
    if (second > this.watermark) this.watermark = second;
    if (second <= this.watermark - SLOTS) return;
    const slot = this.slots[((second % SLOTS) + SLOTS) % SLOTS] as Slot;
    if (slot.second !== second) {
      slot.second = second;
      slot.orders = 0;
      slot.events = 0;
    }
    slot.events++;
    if (isOrder) slot.orders++;
  }

  /** Totals over the window `[end - 60 s, end)`, `end` being the second after the watermark. */
  totals(): { orders: number; events: number; startSecond: number; endSecond: number } | undefined {
    if (this.watermark === Number.NEGATIVE_INFINITY) return undefined;
    const startSecond = this.watermark - SLOTS + 1;
    let orders = 0;
    let events = 0;
    for (const slot of this.slots) {
      if (slot.second >= startSecond && slot.second <= this.watermark) {
        orders += slot.orders;
        events += slot.events;
      }
    }
    return { orders, events, startSecond, endSecond: this.watermark + 1 };
  }
}
