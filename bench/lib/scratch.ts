import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { repoRoot } from "../../hack/local-services.js";

/** Where benchmark processes write their logs. */
export const runDir = resolve(repoRoot, ".run/bench");
mkdirSync(runDir, { recursive: true });

/** A topic that only this run uses; `remove` deletes it. */
export async function benchTopic(brokers: string, prefix: string, partitions = 3) {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const admin = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  return {
    name,
    remove: async () => {
      await admin.deleteTopics({ topics: [name] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
