import type { Series } from "../../bench/lib/charts.js";

/** One quantity to sample: a series' name and how to read its current value. */
export interface Probe {
  name: string;
  read: () => Promise<number>;
}

/**
 * Samples every probe every `intervalMs` until stopped; each probe's samples form a series for a
 * chart (x: seconds since the sampler was made). A probe that fails skips that sample.
 */
export class Sampler {
  private readonly points = new Map<string, [number, number][]>();
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly probes: Probe[],
    private readonly intervalMs = 500,
  ) {
    for (const p of probes) this.points.set(p.name, []);
  }

  start(): void {
    const tick = () => {
      this.sampling = this.sample().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs).unref();
      });
    };
    // Unref'd: a demo that fails before stop() must still exit.
    this.timer = setTimeout(tick, 0).unref();
  }

  /** Stops sampling after one last sample. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sampling;
    await this.sample();
  }

  async sample(): Promise<void> {
    const t = (Date.now() - this.startedAt) / 1000;
    await Promise.all(
      this.probes.map(async ({ name, read }) => {
        const value = await read().catch(() => undefined);
        if (value !== undefined) this.points.get(name)?.push([t, value]);
      }),
    );
  }

  series(): Series[] {
    return [...this.points].map(([name, points]) => ({ name, points }));
  }

  peak(name: string): number {
    return Math.max(0, ...(this.points.get(name) ?? []).map(([, y]) => y));
  }
}
