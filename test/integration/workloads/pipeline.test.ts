import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyticsSnapshot } from "../../../workloads/src/analytics/aggregator.js";
import { type RunningAnalytics, startAnalytics } from "../../../workloads/src/analytics/service.js";
import { parseAnalyticsConfig } from "../../../workloads/src/config/analytics.js";
import type { Env } from "../../../workloads/src/config/env.js";
import { parseInventoryConfig } from "../../../workloads/src/config/inventory.js";
import { parseProducerConfig } from "../../../workloads/src/config/producer.js";
import type { OrderPlaced } from "../../../workloads/src/events/types.js";
import { reservesStock } from "../../../workloads/src/inventory/decide.js";
import { startInventory } from "../../../workloads/src/inventory/service.js";
import { createLogger } from "../../../workloads/src/observability/logger.js";
import { startProducer } from "../../../workloads/src/producer/service.js";
import type { RunningRole } from "../../../workloads/src/role.js";
import { eventually } from "../../support/eventually.js";
import { testKafka } from "../../support/kafka.js";
import {
  countByKey,
  createPipelineTopics,
  deletePipeline,
  orders,
  postJson,
  readTopic,
  roleEnv,
  uniquePipelineNames,
} from "./harness.js";

const kafka = testKafka("pipeline-it");
const names = uniquePipelineNames("pipeline");
const total = 10_000;
let admin: Admin;
let outputDir: string;
let analyticsEnv: Env;
const running: RunningRole[] = [];
const fatal: Error[] = [];
let producer: RunningRole;
let analytics: RunningAnalytics;

const logger = (role: string) => createLogger(role, "silent");
const onFatal = (err: Error) => void fatal.push(err);

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await createPipelineTopics(admin, names);
  outputDir = await mkdtemp(join(tmpdir(), "streaming-orders-analytics-"));
  analyticsEnv = roleEnv(names, "analytics", {
    ANALYTICS_OUTPUT_PATH: join(outputDir, "analytics.json"),
    ANALYTICS_OUTPUT_INTERVAL_MS: "500",
  });
  producer = await startProducer(
    parseProducerConfig(roleEnv(names, "producer")),
    logger("producer"),
  );
  const inventory = await startInventory(parseInventoryConfig(roleEnv(names, "inventory")), {
    logger: logger("inventory"),
    onFatal,
  });
  analytics = await startAnalytics(parseAnalyticsConfig(analyticsEnv), {
    logger: logger("analytics"),
    onFatal,
  });
  running.push(producer, inventory, analytics);
  await eventually("every role ready", async () =>
    running.every((r) => r.readiness.ready) ? true : undefined,
  );
});

afterAll(async () => {
  for (const role of running.reverse()) await role.stop().catch(() => undefined);
  await deletePipeline(admin, names);
  await admin.disconnect();
  await rm(outputDir, { recursive: true, force: true });
});

async function settled(role: RunningAnalytics): Promise<AnalyticsSnapshot> {
  return eventually(
    "analytics to count every order and result",
    async () => {
      const s = role.snapshot();
      return s.total_orders === total && s.processed_orders === total ? s : undefined;
    },
    90_000,
  );
}

describe("the pipeline: producer → inventory → analytics", () => {
  let first: AnalyticsSnapshot;
  const orderIds: string[] = [];

  it("carries 10,000 orders through to exact totals", async () => {
    const url = `http://127.0.0.1:${producer.port}/orders/batch`;
    // Ten batches of 1,000, four requests at a time.
    for (let wave = 0; wave < 10; wave += 4) {
      const batches = Array.from({ length: Math.min(4, 10 - wave) }, () =>
        postJson(url, { orders: orders(1000) }),
      );
      for (const response of await Promise.all(batches)) {
        expect(response.status).toBe(202);
        orderIds.push(...(response.body.order_ids as string[]));
      }
    }
    expect(new Set(orderIds).size).toBe(total);

    first = await settled(analytics);
    const reserved = orderIds.filter((id) => reservesStock({ order_id: id } as OrderPlaced)).length;
    expect(first).toMatchObject({
      total_orders: total,
      reserved_orders: reserved,
      failed_orders: total - reserved,
      processed_orders: total,
      pending_orders: 0,
      success_rate: Math.round((reserved / total) * 1e6) / 1e6,
      failure_rate: Math.round(((total - reserved) / total) * 1e6) / 1e6,
      orders_per_minute: total,
      events_processed: 2 * total,
      duplicate_events: 0,
      invalid_events: 0,
    });
    expect(reserved / total).toBeGreaterThan(0.87);
    expect(reserved / total).toBeLessThan(0.93);
    expect(first.throughput_per_second).toBeGreaterThan(0);

    const results = await readTopic(kafka, names.inventory);
    expect(results).toHaveLength(total);
    expect([...countByKey(results).keys()].sort()).toEqual([...orderIds].sort());
    expect(fatal).toEqual([]);
  });

  it("serves the figures as JSON over HTTP, in the output file, and as Prometheus metrics", async () => {
    const base = `http://127.0.0.1:${analytics.port}`;
    expect(await (await fetch(`${base}/metrics.json`)).json()).toEqual(first);
    const file = join(outputDir, "analytics.json");
    await eventually("the output file to hold the settled figures", async () => {
      const written = JSON.parse(await readFile(file, "utf8")) as AnalyticsSnapshot;
      return written.processed_orders === total ? written : undefined;
    });
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(first);

    const prometheus = await (await fetch(`${base}/metrics`)).text();
    expect(prometheus).toContain(`analytics_orders_total ${total}`);
    expect(prometheus).toContain(
      `analytics_inventory_results_total{outcome="reserved"} ${first.reserved_orders}`,
    );
    expect(prometheus).toContain(`analytics_orders_per_minute ${total}`);
    expect(prometheus).toContain(`analytics_success_ratio ${first.success_rate}`);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });

  it("gives identical figures after analytics-group is reset to the earliest offset and reprocesses", async () => {
    await analytics.stop();
    running.splice(running.indexOf(analytics), 1);
    for (const topic of [names.orders, names.inventory]) {
      await admin.resetOffsets({ groupId: names.analyticsGroup, topic, earliest: true });
    }
    const replay = await startAnalytics(parseAnalyticsConfig(analyticsEnv), {
      logger: logger("analytics"),
      onFatal,
    });
    running.push(replay);
    expect(await settled(replay)).toEqual(first);
    // Nothing more arrives: the figures stay put.
    await new Promise((r) => setTimeout(r, 1000));
    expect(replay.snapshot()).toEqual(first);
  });
});
