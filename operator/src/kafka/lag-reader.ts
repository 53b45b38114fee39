import type { Admin } from "kafkajs";
import { type OffsetResetPolicy, type PartitionLag, withLag } from "./lag.js";

export interface GroupLag {
  groupId: string;
  /** Group state as the coordinator reports it: Stable, Empty, PreparingRebalance, Dead, ... */
  state: string;
  members: number;
  partitions: PartitionLag[];
  /** When the offsets were read (ms since the epoch). */
  observedAt: number;
}

/**
 * Reads a group's committed offsets and its topics' log start and end offsets, and the group's
 * state, in one pass. The admin client must be connected.
 *
 * Partitions come in the order kafkajs's RoundRobinAssigner deals them out: topics in the order
 * given (pass them in subscription order), partitions by number. The autoscaler relies on that
 * order to tell which partitions share a member (autoscale/assignment.ts).
 */
export async function readGroupLag(
  admin: Admin,
  groupId: string,
  topics: string[],
  reset: OffsetResetPolicy = "earliest",
): Promise<GroupLag> {
  const [committedByTopic, logOffsets, described] = await Promise.all([
    admin.fetchOffsets({ groupId, topics }),
    Promise.all(
      topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })),
    ),
    admin.describeGroups([groupId]),
  ]);
  const committed = new Map<string, number | null>();
  for (const { topic, partitions } of committedByTopic) {
    for (const { partition, offset } of partitions) {
      // kafkajs reports "-1" for a partition the group never committed.
      const value = Number(offset);
      committed.set(`${topic}/${partition}`, value < 0 ? null : value);
    }
  }
  const partitions = logOffsets.flatMap(({ topic, offsets }) =>
    offsets.map((o) => ({
      topic,
      partition: o.partition,
      logStart: Number(o.low),
      logEnd: Number(o.high),
      committed: committed.get(`${topic}/${o.partition}`) ?? null,
    })),
  );
  const group = described.groups[0];
  return {
    groupId,
    state: group?.state ?? "Unknown",
    members: group?.members.length ?? 0,
    partitions: withLag(partitions, reset).sort(
      (a, b) => topics.indexOf(a.topic) - topics.indexOf(b.topic) || a.partition - b.partition,
    ),
    observedAt: Date.now(),
  };
}
