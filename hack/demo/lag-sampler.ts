import type { Admin } from "kafkajs";
import { totalLag } from "../../operator/src/kafka/lag.js";
import { readGroupLag } from "../../operator/src/kafka/lag-reader.js";
import type { Probe } from "./sampler.js";

export interface GroupTopics {
  groupId: string;
  topics: string[];
}

/** Each group's total lag over its topics (events behind), as probes named by the group. */
export function lagProbes(admin: Admin, groups: GroupTopics[]): Probe[] {
  return groups.map(({ groupId, topics }) => ({
    name: groupId,
    read: async () => totalLag((await readGroupLag(admin, groupId, topics)).partitions),
  }));
}
