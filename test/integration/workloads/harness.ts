import { execFile } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Admin, Kafka, KafkaMessage } from "kafkajs";
import { inject } from "vitest";
import type { Env } from "../../../workloads/src/config/env.js";
import { uniqueName } from "../../support/kafka.js";

export const repoRoot = resolve(import.meta.dirname, "../../..");

/** Topic and group names one test owns, passed to the roles by env. */
export interface PipelineNames {
  orders: string;
  inventory: string;
  deadLetters: string;
  inventoryGroup: string;
  analyticsGroup: string;
}

export function uniquePipelineNames(prefix: string): PipelineNames {
  return {
    orders: uniqueName(`${prefix}-orders`),
    inventory: uniqueName(`${prefix}-inventory`),
    deadLetters: uniqueName(`${prefix}-dlq`),
    inventoryGroup: uniqueName(`${prefix}-inventory-group`),
    analyticsGroup: uniqueName(`${prefix}-analytics-group`),
  };
}

/** The environment a role gets from the operator, pointed at this test's topics and groups. */
export function roleEnv(
  names: PipelineNames,
  role: "producer" | "inventory" | "analytics",
  extra: Env = {},
): Env {
  return {
    KAFKA_GROUP_ID: role === "analytics" ? names.analyticsGroup : names.inventoryGroup,
    KAFKA_BOOTSTRAP_SERVERS: inject("kafkaBrokers"),
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "warn",
    ORDER_EVENTS_TOPIC: names.orders,
    INVENTORY_EVENTS_TOPIC: names.inventory,
    DEAD_LETTER_TOPIC: names.deadLetters,
    INVENTORY_TRANSACTIONAL_ID: uniqueName("inventory-tx"),
    // Tests stop and start consumers; short sessions let the group rebalance quickly.
    KAFKA_CONSUMER_SESSION_TIMEOUT_MS: "6000",
    KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: "1000",
    ...extra,
  };
}

export async function createPipelineTopics(admin: Admin, names: PipelineNames): Promise<void> {
  await admin.createTopics({
    topics: [
      { topic: names.orders, numPartitions: 3, replicationFactor: 1 },
      { topic: names.inventory, numPartitions: 3, replicationFactor: 1 },
      { topic: names.deadLetters, numPartitions: 1, replicationFactor: 1 },
    ],
    waitForLeaders: true,
  });
}

export async function deletePipeline(admin: Admin, names: PipelineNames): Promise<void> {
  await admin
    .deleteTopics({ topics: [names.orders, names.inventory, names.deadLetters] })
    .catch(() => undefined);
  await admin.deleteGroups([names.inventoryGroup, names.analyticsGroup]).catch(() => undefined);
}

/** Messages a topic holds (excluding transaction markers), by offset count. */
export async function topicSize(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

export type ReadMessage = KafkaMessage & { partition: number };

/**
 * Every message in `topic` up to its current end, read by a throwaway group: read_committed by
 * default, so aborted transactions' writes are not returned.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: { readUncommitted?: boolean; timeoutMs?: number } = {},
): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)] as const),
  );
  await admin.disconnect();

  const groupId = uniqueName("test-reader");
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: options.readUncommitted ?? false,
    maxWaitTimeInMs: 100,
  });
  const messages: ReadMessage[] = [];
  const positions = new Map<number, bigint>();
  const reachedEnd = () =>
    [...ends].every(([partition, end]) => end === 0n || (positions.get(partition) ?? 0n) >= end);
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => {
    done = r;
  });
  // END_BATCH_PROCESS also reports batches that held only transaction markers.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
    if (reachedEnd()) done();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages)
        messages.push({ ...message, partition: batch.partition });
    },
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    if (!reachedEnd()) {
      await Promise.race([
        finished,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), timeoutMs);
        }),
      ]);
    }
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect();
  }
  return messages;
}

/** POSTs JSON and returns the status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export function orders(
  n: number,
  prefix = "user",
): { user_id: string; item: string; quantity: number }[] {
  return Array.from({ length: n }, (_, i) => ({
    user_id: `${prefix}-${i % 97}`,
    item: `item-${i % 13}`,
    quantity: (i % 100) + 1,
  }));
}

const run = promisify(execFile);

/**
 * Compiles workloads/src into a directory of its own under dist/, so a test can run a role as a
 * real child process (`node <main.js> inventory`) without depending on the project build.
 */
export async function compileWorkloads(): Promise<{ main: string; remove: () => Promise<void> }> {
  const outDir = join(repoRoot, "dist", ".test-builds", uniqueName("workloads"));
  await mkdir(outDir, { recursive: true });
  const tsconfig = join(outDir, "tsconfig.json");
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: join(repoRoot, "tsconfig.json"),
      compilerOptions: {
        noEmit: false,
        outDir: join(outDir, "out"),
        rootDir: join(repoRoot, "workloads/src"),
        tsBuildInfoFile: null,
      },
      include: [join(repoRoot, "workloads/src")],
      exclude: [join(repoRoot, "workloads/src/**/*.test.ts")],
    }),
  );
  await run(join(repoRoot, "node_modules/.bin/tsc"), ["-p", tsconfig], { cwd: repoRoot });
  return {
    main: join(outDir, "out", "main.js"),
    remove: () => rm(outDir, { recursive: true, force: true }),
  };
}

/** True once `groupId` has committed the end of every partition of `topic`. */
export async function groupCaughtUp(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<boolean> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  return ends.every((end) => {
    const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1";
    return Number(end.high) === 0 || BigInt(offset) >= BigInt(end.high);
  });
}

/** Counts how many messages share each key. */
export function countByKey(messages: readonly KafkaMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of messages) {
    const key = String(message.key);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
