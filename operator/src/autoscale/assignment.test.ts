import { AssignerProtocol, type Cluster, PartitionAssigners } from "kafkajs";
import { describe, expect, it } from "vitest";
import { roundRobinGroups } from "./assignment.js";

describe("roundRobinGroups", () => {
  it.each([
    { partitions: 3, members: 1, groups: [[0, 1, 2]] },
    { partitions: 3, members: 2, groups: [[0, 2], [1]] },
    { partitions: 3, members: 3, groups: [[0], [1], [2]] },
    { partitions: 3, members: 5, groups: [[0], [1], [2]] },
    { partitions: 6, members: 4, groups: [[0, 4], [1, 5], [2], [3]] },
    {
      partitions: 12,
      members: 5,
      groups: [
        [0, 5, 10],
        [1, 6, 11],
        [2, 7],
        [3, 8],
        [4, 9],
      ],
    },
    { partitions: 3, members: 0, groups: [] },
    { partitions: 0, members: 2, groups: [] },
  ])("deals $partitions partitions to $members members", ({ partitions, members, groups }) => {
    expect(roundRobinGroups(partitions, members)).toEqual(groups);
  });

  // The grouping must be the one kafkajs's own RoundRobinAssigner makes, for one topic and for
  // several (partitions listed topic by topic in subscription order, as the lag reader lists them).
  it.each([
    { topics: [["a", 3]], members: 2 },
    { topics: [["a", 12]], members: 5 },
    { topics: [["a", 4]], members: 6 },
    {
      topics: [
        ["order-events", 3],
        ["inventory-events", 3],
      ],
      members: 2,
    },
    {
      topics: [
        ["order-events", 5],
        ["inventory-events", 2],
      ],
      members: 3,
    },
  ] as const)(
    "matches kafkajs's RoundRobinAssigner: $topics over $members members",
    async ({ topics, members }) => {
      const cluster = {
        findTopicPartitionMetadata: (topic: string) =>
          Array.from({ length: topics.find(([t]) => t === topic)?.[1] ?? 0 }, (_, partitionId) => ({
            partitionId,
          })),
      } as unknown as Cluster;
      const assigner = PartitionAssigners.roundRobin({
        cluster,
        groupId: "g",
        logger: undefined as never,
      });
      const assigned = await assigner.assign({
        members: Array.from({ length: members }, (_, i) => ({
          memberId: `member-${i}`,
          memberMetadata: Buffer.alloc(0),
        })),
        topics: topics.map(([t]) => t),
      });
      const position = new Map(
        topics.flatMap(([t, n], ti) =>
          Array.from({ length: n }, (_, p) => [
            `${t}/${p}`,
            topics.slice(0, ti).reduce((sum, [, m]) => sum + m, 0) + p,
          ]),
        ),
      );
      const theirs = assigned
        .map(({ memberAssignment }) => {
          const decoded = AssignerProtocol.MemberAssignment.decode(memberAssignment);
          return Object.entries(decoded?.assignment ?? {})
            .flatMap(([t, ps]) => ps.map((p) => position.get(`${t}/${p}`) ?? -1))
            .sort((x, y) => x - y);
        })
        .sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0));
      const total = topics.reduce((sum, [, n]) => sum + n, 0);
      expect(roundRobinGroups(total, members)).toEqual(theirs);
    },
  );
});
