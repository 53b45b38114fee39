import { Kafka, logLevel } from "kafkajs";
import { ensureUp, kafkaService, stopIfStarted } from "../hack/local-services.js";
import { startWorkload, stopWorkload, waitReady } from "../hack/workload-process.js";
import { totalLag } from "../operator/src/kafka/lag.js";
import { readGroupLag } from "../operator/src/kafka/lag-reader.js";
import { drawBars, writeResult } from "./lib/results.js";
import { benchTopics, orderMessages, runDir, scratchName } from "./lib/scratch.js";
import { round } from "./lib/stats.js";

const EVENTS = Number(process.env.BENCH_CONSUME_EVENTS ?? 200_000);
const BATCH = 1000;

/**
 * Events/s of one consumer replica over a backlog, seen from outside through its group's committed
 * offsets: from its first commit (start-up and group join excluded) until its lag reaches zero.
 */
async function drainRate(
  admin: Parameters<typeof readGroupLag>[0],
  groupId: string,
  topics: string[],
  timeoutMs = 600_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let first: { at: number; lag: number } | undefined;
  let initial: number | undefined;
  while (Date.now() < deadline) {
    const lag = totalLag((await readGroupLag(admin, groupId, topics)).partitions);
    initial ??= lag;
    const now = performance.now();
    if (!first && lag < initial) first = { at: now, lag };
    if (first && lag === 0) return first.lag / ((now - first.at) / 1000);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${groupId} did not drain within ${timeoutMs} ms`);
}

async function main() {
  const kafka = await ensureUp(kafkaService(process.env.TEST_KAFKA_BROKERS));
  const brokers = kafka.address;
  const topics = await benchTopics(brokers, ["bench-orders", "bench-inventory", "bench-dlq"]);
  const [orders, inventory, dlq] = topics.names as [string, string, string];
  const client = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING });
  const common = {
    KAFKA_BOOTSTRAP_SERVERS: brokers,
    ORDER_EVENTS_TOPIC: orders,
    INVENTORY_EVENTS_TOPIC: inventory,
    DEAD_LETTER_TOPIC: dlq,
    LOG_LEVEL: "warn",
  };
  try {
    process.stderr.write(`preloading ${EVENTS.toLocaleString("en-US")} orders into ${orders}\n`);
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let first = 0; first < EVENTS; first += BATCH) {
      await producer.send({ topic: orders, acks: -1, messages: orderMessages(first, BATCH) });
    }
    await producer.disconnect();

    const inventoryGroup = scratchName("bench-inventory-group");
    const inv = startWorkload(
      "inventory",
      18202,
      {
        ...common,
        KAFKA_GROUP_ID: inventoryGroup,
        INVENTORY_TRANSACTIONAL_ID: scratchName("bench-tx"),
      },
      runDir,
    );
    await waitReady(inv);
    const inventoryRate = await drainRate(topics.admin, inventoryGroup, [orders]);
    await stopWorkload(inv);

    const analyticsGroup = scratchName("bench-analytics-group");
    const analytics = startWorkload(
      "analytics",
      18203,
      {
        ...common,
        KAFKA_GROUP_ID: analyticsGroup,
        ANALYTICS_OUTPUT_PATH: `${runDir}/analytics.json`,
      },
      runDir,
    );
    await waitReady(analytics);
    const analyticsRate = await drainRate(topics.admin, analyticsGroup, [orders, inventory]);
    await stopWorkload(analytics);

    // A raw kafkajs consumer reading the same order backlog, doing nothing with the events.
    const raw = client.consumer({
      groupId: scratchName("bench-raw"),
      maxBytesPerPartition: 4 << 20,
    });
    await raw.connect();
    await raw.subscribe({ topics: [orders], fromBeginning: true });
    let seen = 0;
    let firstAt = 0;
    let firstBatch = 0;
    const done = new Promise<number>((resolveDone) => {
      void raw.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (firstAt === 0) {
            firstAt = performance.now();
            firstBatch = batch.messages.length;
          }
          seen += batch.messages.length;
          if (seen >= EVENTS) resolveDone(performance.now());
        },
      });
    });
    const lastAt = await done;
    await raw.disconnect();
    const rawRate = (seen - firstBatch) / ((lastAt - firstAt) / 1000);

    await writeResult("consume", {
      inventory_events_per_s: round(inventoryRate),
      analytics_events_per_s: round(analyticsRate),
      raw_kafkajs_events_per_s: round(rawRate),
      backlog_orders: EVENTS,
      analytics_backlog_events: EVENTS * 2,
      partitions: 3,
      replicas: 1,
    });
    await drawBars("consume", "One replica over a preloaded backlog (events/s)", [
      { label: "inventory consumer", value: inventoryRate },
      { label: "analytics consumer", value: analyticsRate },
      { label: "raw kafkajs consumer", value: rawRate },
    ]);
  } finally {
    await topics.remove();
    await stopIfStarted(kafka);
  }
}

await main();
