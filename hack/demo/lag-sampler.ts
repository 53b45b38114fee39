import type { Admin } from "kafkajs";
import type { Series } from "../../bench/lib/charts.js";
import { totalLag } from "../../operator/src/kafka/lag.js";
import { readGroupLag } from "../../operator/src/kafka/lag-reader.js";

export interface GroupTopics {
  groupId: string;
  topics: string[];
}

/** Samples each group's total lag every `intervalMs` until stopped; the samples form a chart. */
export class LagSampler {
  private readonly points = new Map<string, [number, number][]>();
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly admin: Admin,
    private readonly groups: GroupTopics[],
    private readonly intervalMs = 500,
  ) {
    for (const g of groups) this.points.set(g.groupId, []);
  }

  start(): void {
    const tick = () => {
      this.sampling = this.sample()
        .catch(() => undefined)
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sampling;
    await this.sample();
  }

  private async sample(): Promise<void> {
    const t = (Date.now() - this.startedAt) / 1000;
    await Promise.all(
      this.groups.map(async ({ groupId, topics }) => {
        const lag = await readGroupLag(this.admin, groupId, topics);
        this.points.get(groupId)?.push([t, totalLag(lag.partitions)]);
      }),
    );
  }

  series(): Series[] {
    return [...this.points].map(([name, points]) => ({ name, points }));
  }

  peak(groupId: string): number {
    return Math.max(0, ...(this.points.get(groupId) ?? []).map(([, y]) => y));
  }
}
