import { mkdir, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { Kafka, logLevel } from "kafkajs";
import { svgChart, terminalChart } from "../../bench/lib/charts.js";
import type { AnalyticsSnapshot } from "../../workloads/src/analytics/aggregator.js";
import { DEFAULT_GROUPS, DEFAULT_TOPICS } from "../../workloads/src/events/topics.js";
import { ensureUp, kafkaService, repoRoot, stopIfStarted } from "../local-services.js";
import {
  startWorkload,
  stopWorkload,
  type WorkloadProcess,
  waitReady,
} from "../workload-process.js";
import { LagSampler } from "./lag-sampler.js";
import { sendOrders } from "./send-orders.js";

// The main job, for now with the workloads as local processes: start Kafka, create the topics, run
// producer, inventory and analytics, push DEMO_ORDERS orders through the batch API, wait until
// analytics has counted them all, then show the figures and the groups' lag over time.
const ORDERS = Number(process.env.DEMO_ORDERS ?? 10_000);
const outDir = resolve(repoRoot, ".run/demo");

async function figures(analytics: WorkloadProcess): Promise<AnalyticsSnapshot> {
  const response = await fetch(`${analytics.url}/metrics.json`);
  return (await response.json()) as AnalyticsSnapshot;
}

async function waitUntilCounted(analytics: WorkloadProcess, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = await figures(analytics);
    if (f.total_orders >= ORDERS && f.processed_orders >= ORDERS) return f;
    if (Date.now() > deadline) throw new Error(`analytics counted only ${JSON.stringify(f)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  if (!Number.isInteger(ORDERS) || ORDERS < 1)
    throw new Error("DEMO_ORDERS must be a positive integer");
  await mkdir(outDir, { recursive: true });
  const kafka = await ensureUp(kafkaService(process.env.DEMO_KAFKA_BROKERS));
  const admin = new Kafka({
    brokers: kafka.address.split(","),
    logLevel: logLevel.NOTHING,
  }).admin();
  const workloads: WorkloadProcess[] = [];
  try {
    await admin.connect();
    // A clean slate: the demo's topics and groups start empty on every run.
    const topics = [DEFAULT_TOPICS.orders, DEFAULT_TOPICS.inventory, DEFAULT_TOPICS.deadLetter];
    const existing = await admin.listTopics();
    const stale = topics.filter((t) => existing.includes(t));
    if (stale.length) await admin.deleteTopics({ topics: stale });
    await admin.deleteGroups(Object.values(DEFAULT_GROUPS)).catch(() => undefined);
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
      waitForLeaders: true,
    });

    const env = {
      KAFKA_BOOTSTRAP_SERVERS: kafka.address,
      LOG_LEVEL: "info",
      INVENTORY_TRANSACTIONAL_ID: "inventory-demo-0",
      ANALYTICS_OUTPUT_PATH: resolve(outDir, "analytics.json"),
    };
    const producer = startWorkload("producer", 8201, env, outDir);
    const inventory = startWorkload("inventory", 8202, env, outDir);
    const analytics = startWorkload("analytics", 8203, env, outDir);
    workloads.push(producer, inventory, analytics);
    await Promise.all(workloads.map((w) => waitReady(w)));

    const sampler = new LagSampler(admin, [
      { groupId: DEFAULT_GROUPS.inventory, topics: [DEFAULT_TOPICS.orders] },
      {
        groupId: DEFAULT_GROUPS.analytics,
        topics: [DEFAULT_TOPICS.orders, DEFAULT_TOPICS.inventory],
      },
    ]);
    sampler.start();

    const bar = new SingleBar({
      format: "orders [{bar}] {value}/{total} {percentage}% {eta_formatted} left",
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: true,
    });
    bar.start(ORDERS, 0);
    const sendStart = performance.now();
    await sendOrders(producer.url, ORDERS, ({ sent }) => bar.update(sent));
    bar.stop();
    const sendSeconds = (performance.now() - sendStart) / 1000;

    const counted = await waitUntilCounted(analytics);
    const pipelineSeconds = (performance.now() - sendStart) / 1000;
    await sampler.stop();

    const series = sampler.series();
    const svgPath = resolve(outDir, "lag.svg");
    await writeFile(
      svgPath,
      await svgChart(series, {
        title: "Consumer-group lag during the demo",
        xTitle: "seconds",
        yTitle: "events behind",
      }),
    );
    await writeFile(resolve(outDir, "figures.json"), `${JSON.stringify(counted, null, 2)}\n`);

    const out = process.stdout;
    out.write(`\nSent ${ORDERS.toLocaleString("en-US")} orders in ${sendSeconds.toFixed(1)} s `);
    out.write(`(${Math.round(ORDERS / sendSeconds).toLocaleString("en-US")} orders/s); `);
    out.write(
      `analytics had counted every one ${pipelineSeconds.toFixed(1)} s after the first was sent.\n\n`,
    );
    out.write("Analytics figures (GET /metrics.json):\n");
    out.write(`${JSON.stringify(counted, null, 2)}\n\n`);
    out.write("Consumer-group lag over time (events behind):\n");
    out.write(`${terminalChart(series)}\n\n`);
    for (const s of series)
      out.write(`  peak lag ${s.name}: ${sampler.peak(s.name).toLocaleString("en-US")}\n`);
    out.write(`\nPicture: ${svgPath}\nLogs: ${outDir}/{producer,inventory,analytics}.log\n`);
  } finally {
    await Promise.all(workloads.map((w) => stopWorkload(w)));
    await admin.disconnect();
    await stopIfStarted(kafka);
  }
}

await main();
