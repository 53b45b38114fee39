import { describe, expect, it } from "vitest";
import { FakeClock } from "./clock.js";
import { WorkQueue } from "./work-queue.js";

function queue() {
  const clock = new FakeClock();
  return { clock, q: new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000, clock }) };
}

/** Keys the queue hands out right now, without waiting, each processed and done. */
async function drain(q: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.depth > 0) {
    const key = await q.get();
    if (key === undefined) break;
    out.push(key);
    q.done(key);
  }
  return out;
}

describe("WorkQueue", () => {
  it("hands out a key added many times once", async () => {
    const { q } = queue();
    q.add("shop/a");
    q.add("shop/b");
    q.add("shop/a");
    expect(q.depth).toBe(2);
    expect(await drain(q)).toEqual(["shop/a", "shop/b"]);
  });

  it("never gives a key to two workers; a re-add while processing queues it after done", async () => {
    const { q } = queue();
    q.add("shop/a");
    const key = await q.get();
    q.add("shop/a");
    expect(q.depth).toBe(0);
    q.done(key as string);
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe("shop/a");
  });

  it("wakes a waiting worker when a key arrives", async () => {
    const { q } = queue();
    const waiting = q.get();
    q.add("shop/a");
    expect(await waiting).toBe("shop/a");
  });

  it("retries a failing key with exponential backoff capped at the maximum", () => {
    const { q } = queue();
    const delays = Array.from({ length: 6 }, () => q.addRateLimited("shop/a"));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(q.failuresOf("shop/a")).toBe(6);
  });

  it("adds a rate-limited key only after its delay", async () => {
    const { q, clock } = queue();
    q.addRateLimited("shop/a");
    clock.advance(99);
    expect(q.depth).toBe(0);
    clock.advance(1);
    expect(await drain(q)).toEqual(["shop/a"]);
  });

  it("starts from the base delay again after forget", () => {
    const { q } = queue();
    q.addRateLimited("shop/a");
    q.addRateLimited("shop/a");
    q.forget("shop/a");
    expect(q.nextBackoff("shop/a")).toBe(100);
  });

  it("keeps backoff per key", () => {
    const { q } = queue();
    q.addRateLimited("shop/a");
    q.addRateLimited("shop/a");
    expect(q.nextBackoff("shop/a")).toBe(400);
    expect(q.nextBackoff("shop/b")).toBe(100);
  });

  it("keeps the earlier of two delayed adds for one key", async () => {
    const { q, clock } = queue();
    q.addAfter("shop/a", 500);
    q.addAfter("shop/a", 100);
    q.addAfter("shop/a", 900);
    clock.advance(100);
    expect(await drain(q)).toEqual(["shop/a"]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("re-adds every known key each resync period", async () => {
    const { q, clock } = queue();
    q.startResync(1000, () => ["shop/a", "shop/b"]);
    clock.advance(999);
    expect(q.depth).toBe(0);
    clock.advance(1);
    expect(await drain(q)).toEqual(["shop/a", "shop/b"]);
    clock.advance(1000);
    expect(q.depth).toBe(2);
  });

  it("re-adds keys listed asynchronously, and survives a failed listing", async () => {
    const { q, clock } = queue();
    const errors: unknown[] = [];
    let fail = true;
    q.startResync(
      1000,
      async () => {
        if (fail) throw new Error("API server down");
        return ["shop/a"];
      },
      (err) => errors.push(err),
    );
    clock.advance(1000);
    await Promise.resolve();
    expect(errors).toHaveLength(1);
    fail = false;
    clock.advance(1000);
    await Promise.resolve();
    await Promise.resolve();
    expect(await drain(q)).toEqual(["shop/a"]);
  });

  it("releases waiting workers and cancels timers on shutdown", async () => {
    const { q, clock } = queue();
    const waiting = q.get();
    q.addAfter("shop/a", 100);
    q.startResync(1000, () => ["shop/a"]);
    q.shutdown();
    expect(await waiting).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
    q.add("shop/b");
    expect(await q.get()).toBeUndefined();
  });
});
