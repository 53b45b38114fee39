import type { Admin } from "kafkajs";
import type { OffsetReset, ReplayPartitionStatus } from "../api/types.js";
import type { PartitionOffsets } from "../kafka/lag.js";
import { type OffsetPlan, planOffsets } from "./machine.js";

// The replay's Kafka side: thin calls over kafkajs admin, decided by machine.ts.

export interface GroupDescription {
  state: string;
  members: number;
}

export async function describeGroup(admin: Admin, groupId: string): Promise<GroupDescription> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0];
  return { state: group?.state ?? "Unknown", members: group?.members.length ?? 0 };
}

/** The group's committed offsets on its topics' partitions (null where it never committed). */
export async function readCommitted(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Array<{ topic: string; partition: number; committed: number | null }>> {
  const byTopic = await admin.fetchOffsets({ groupId, topics: [...topics] });
  return byTopic.flatMap(({ topic, partitions }) =>
    partitions.map(({ partition, offset }) => {
      const value = Number(offset);
      return { topic, partition, committed: value < 0 ? null : value };
    }),
  );
}

/**
 * Reads the log start and end of each partition and the group's commits, and plans where the
 * commits go: `earliest`, `latest`, or an RFC 3339 time looked up per partition by timestamp.
 */
export async function readPlan(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  target: string,
  reset: OffsetReset,
): Promise<OffsetPlan> {
  const committed = new Map(
    (await readCommitted(admin, groupId, topics)).map((c) => [
      `${c.topic}/${c.partition}`,
      c.committed,
    ]),
  );
  const offsets: PartitionOffsets[] = [];
  const byTime = new Map<string, number>();
  const time = target === "earliest" || target === "latest" ? undefined : Date.parse(target);
  for (const topic of topics) {
    for (const o of await admin.fetchTopicOffsets(topic)) {
      offsets.push({
        topic,
        partition: o.partition,
        logStart: Number(o.low),
        logEnd: Number(o.high),
        committed: committed.get(`${topic}/${o.partition}`) ?? null,
      });
    }
    if (time !== undefined) {
      for (const o of await admin.fetchTopicOffsetsByTimestamp(topic, time)) {
        byTime.set(`${topic}/${o.partition}`, Number(o.offset));
      }
    }
  }
  offsets.sort(
    (a, b) => topics.indexOf(a.topic) - topics.indexOf(b.topic) || a.partition - b.partition,
  );
  return planOffsets(target, offsets, reset, byTime);
}

/**
 * Commits the planned offsets for the group, topic by topic (kafkajs's setOffsets, which refuses
 * while the group has members). Setting an offset twice is harmless, so a move interrupted by a
 * restart is simply done again.
 *
 * setOffsets joins the group with a paused consumer and seeks; kafkajs's fetch loop then sleeps
 * its maxWaitTime (5 s) before the seek is committed, so each topic takes about 5 s.
 */
export async function moveOffsets(
  admin: Admin,
  groupId: string,
  planned: readonly ReplayPartitionStatus[],
): Promise<void> {
  const topics = [...new Set(planned.map((p) => p.topic))];
  for (const topic of topics) {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: planned
        .filter((p) => p.topic === topic)
        .map((p) => ({ partition: p.partition, offset: String(p.after) })),
    });
  }
}
