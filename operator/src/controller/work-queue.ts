import { exponentialBackoff } from "./backoff.js";
import { type Clock, systemClock } from "./clock.js";

export interface WorkQueueOptions {
  /** First retry delay after a failure. */
  baseDelayMs: number;
  /** Longest retry delay. */
  maxDelayMs: number;
  clock?: Clock;
}

/**
 * A keyed work queue in the manner of client-go's: a key is queued at most once however often it
 * is added; a key being processed is not handed to a second worker, and if it is added meanwhile
 * it is queued again when the first worker calls `done`. Failed keys are retried with per-key
 * exponential backoff until `forget` resets them; `startResync` re-adds every known key
 * periodically so a missed event is never final.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { due: number; handle: unknown }>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private readonly clock: Clock;
  private resyncHandle: unknown;
  private stopped = false;

  constructor(private readonly options: WorkQueueOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Keys waiting for a worker (not counting delayed or in-process ones). */
  get depth(): number {
    return this.queue.length;
  }

  get isShutDown(): boolean {
    return this.stopped;
  }

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
  }

  /** Adds the key after `ms`; an earlier pending add for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const due = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.due <= due) return;
    if (pending) this.clock.clearTimeout(pending.handle);
    const handle = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { due, handle });
  }

  /** The delay the next `addRateLimited(key)` will use. */
  nextBackoff(key: string): number {
    return exponentialBackoff(
      this.failures.get(key) ?? 0,
      this.options.baseDelayMs,
      this.options.maxDelayMs,
    );
  }

  /** Re-adds a failed key after its backoff, and doubles the backoff; returns the delay. */
  addRateLimited(key: string): number {
    const delay = this.nextBackoff(key);
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    this.addAfter(key, delay);
    return delay;
  }

  /** Consecutive failures recorded for the key. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The key succeeded: its next failure starts from the base delay again. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to process; resolves `undefined` once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The worker finished with the key; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.stopped) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /**
   * Every `periodMs`, adds every key `keys()` lists (it may list them asynchronously, e.g. fresh
   * from the API server; a failed listing is reported to `onError` and tried next period).
   */
  startResync(
    periodMs: number,
    keys: () => Iterable<string> | Promise<Iterable<string>>,
    onError: (err: unknown) => void = () => undefined,
  ): void {
    const addAll = (list: Iterable<string>) => {
      for (const key of list) this.add(key);
    };
    const tick = () => {
      if (this.stopped) return;
      try {
        const listed = keys();
        if (listed instanceof Promise) listed.then(addAll, onError);
        else addAll(listed);
      } catch (err) {
        onError(err);
      }
      this.resyncHandle = this.clock.setTimeout(tick, periodMs);
    };
    this.resyncHandle = this.clock.setTimeout(tick, periodMs);
  }

  shutdown(): void {
    this.stopped = true;
    for (const { handle } of this.delayed.values()) this.clock.clearTimeout(handle);
    this.delayed.clear();
    if (this.resyncHandle !== undefined) this.clock.clearTimeout(this.resyncHandle);
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    this.queue.length = 0;
    this.dirty.clear();
  }
}
