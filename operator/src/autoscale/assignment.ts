/**
 * Which partitions each member of a group consumes, as kafkajs's RoundRobinAssigner hands them
 * out: the i-th topic-partition goes to member i mod members. The assigner sorts members by their
 * (random) ids, so we cannot tell which pod gets which group, but the grouping itself is fixed, and
 * the grouping is what bounds throughput: a member works through only its own partitions.
 *
 * Indices are positions in the group's partition list (topics in order, partitions by number).
 */
export function roundRobinGroups(partitionCount: number, members: number): number[][] {
  if (members <= 0) return [];
  const groups: number[][] = Array.from({ length: Math.min(members, partitionCount) }, () => []);
  for (let i = 0; i < partitionCount; i++) groups[i % members]?.push(i);
  return groups;
}
