import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAnalytics, startAnalytics } from "../../../workloads/src/analytics/service.js";
import { parseAnalyticsConfig } from "../../../workloads/src/config/analytics.js";
import { parseProducerConfig } from "../../../workloads/src/config/producer.js";
import { createLogger } from "../../../workloads/src/observability/logger.js";
import { startProducer } from "../../../workloads/src/producer/service.js";
import type { RunningRole } from "../../../workloads/src/role.js";
import { testKafka } from "../../support/kafka.js";
import { run } from "../../support/tools.js";
import {
  createPipelineTopics,
  deletePipeline,
  type PipelineNames,
  roleEnv,
  uniquePipelineNames,
} from "../workloads/harness.js";
import { chartSource } from "./workspace.js";

// The script `helm test` runs in the cluster, run here as a process against a real producer and
// real analytics consumers on the test broker.

const script = join(chartSource, "files/check-orders.mjs");
const kafka = testKafka("helm-test-script");
const names = uniquePipelineNames("helmtest");
const elsewhere = uniquePipelineNames("helmtest-other");
const onFatal = (err: Error) => {
  throw err;
};
let admin: Admin;
let outputDir: string;
let producer: RunningRole;
const analytics: RunningAnalytics[] = [];
/** Counts this pipeline's orders. */
let counting: RunningAnalytics;
/** Reads another pipeline's topics, so it never counts what the script sends. */
let unrelated: RunningAnalytics;

async function startAnalyticsOn(pipeline: PipelineNames, file: string): Promise<RunningAnalytics> {
  const env = roleEnv(pipeline, "analytics", { ANALYTICS_OUTPUT_PATH: join(outputDir, file) });
  const started = await startAnalytics(parseAnalyticsConfig(env), {
    logger: createLogger("analytics", "silent"),
    onFatal,
  });
  analytics.push(started);
  return started;
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await createPipelineTopics(admin, names);
  await createPipelineTopics(admin, elsewhere);
  outputDir = await mkdtemp(join(tmpdir(), "streaming-orders-helm-test-"));
  producer = await startProducer(
    parseProducerConfig(roleEnv(names, "producer")),
    createLogger("producer", "silent"),
  );
  counting = await startAnalyticsOn(names, "counting.json");
  unrelated = await startAnalyticsOn(elsewhere, "unrelated.json");
});

afterAll(async () => {
  await Promise.all([producer?.stop(), ...analytics.map((a) => a.stop())]);
  await deletePipeline(admin, names);
  await deletePipeline(admin, elsewhere);
  await admin?.disconnect();
  await rm(outputDir, { recursive: true, force: true });
});

function checkOrders(analyticsPort: number, env: Record<string, string> = {}) {
  return run(process.execPath, [script], {
    env: {
      PATH: process.env.PATH,
      PRODUCER_URL: `http://127.0.0.1:${producer.port}`,
      ANALYTICS_HOST: "127.0.0.1",
      ANALYTICS_PORT: String(analyticsPort),
      ORDERS: "25",
      TIMEOUT_SECONDS: "60",
      ...env,
    },
  });
}

describe("the helm test script", () => {
  it("passes when analytics counts the orders it sent", async () => {
    const result = await checkOrders(counting.port);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("producer: 25 orders accepted");
    expect(result.stdout).toContain("PASS: analytics counted 25 new orders (sent 25)");
    expect(result.code).toBe(0);
    expect(counting.snapshot().total_orders).toBeGreaterThanOrEqual(25);
  });

  it("fails, saying what it waited for, when analytics never counts them", async () => {
    const result = await checkOrders(unrelated.port, { TIMEOUT_SECONDS: "10" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^FAIL: timed out waiting for analytics to count 25 more orders: not yet\n$/,
    );
  });

  it("fails at once when the producer refuses the batch", async () => {
    const result = await checkOrders(counting.port, { ORDERS: "1001" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^FAIL: producer answered (400|413): /);
  });
});
