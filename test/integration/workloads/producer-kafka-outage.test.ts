import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseProducerConfig } from "../../../workloads/src/config/producer.js";
import { createLogger } from "../../../workloads/src/observability/logger.js";
import { startProducer } from "../../../workloads/src/producer/service.js";
import type { RunningRole } from "../../../workloads/src/role.js";
import { eventually } from "../../support/eventually.js";
import { postJson, repoRoot, roleEnv, topicSize, uniquePipelineNames } from "./harness.js";

// This test stops and starts Kafka, so it runs a broker of its own (hack/kafka.sh with a separate
// run directory and ports) and leaves the shared one alone.
const run = promisify(execFile);
const names = uniquePipelineNames("outage");
let runDir: string;
let port: number;
let producer: RunningRole;
let base: string;

/** A port P with P and P+1 (the controller) both free. */
async function freePortPair(): Promise<number> {
  const free = (p: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(p, "127.0.0.1", () => server.close(() => resolve(true)));
    });
  for (;;) {
    const candidate = 30_000 + 2 * Math.floor(Math.random() * 5000);
    if ((await free(candidate)) && (await free(candidate + 1))) return candidate;
  }
}

async function kafkaScript(command: "up" | "down"): Promise<void> {
  await run(join(repoRoot, "hack/kafka.sh"), [command], {
    cwd: repoRoot,
    env: {
      ...process.env,
      STREAMING_ORDERS_RUN: runDir,
      KAFKA_PORT: String(port),
      KAFKA_BROKERS: "1",
    },
    timeout: 180_000,
  });
}

/** Starts the private broker and creates the orders topic on it. */
async function kafkaUp(): Promise<void> {
  await kafkaScript("up");
  const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: names.orders, numPartitions: 3 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
}

async function ordersWritten(): Promise<number> {
  const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await topicSize(admin, names.orders);
  } finally {
    await admin.disconnect();
  }
}

async function ready(): Promise<{
  status: number;
  body: { checks: { kafka: { detail: string } } };
}> {
  const response = await fetch(`${base}/ready`);
  return { status: response.status, body: (await response.json()) as never };
}

/** POSTs one order and measures how long the answer took. */
async function timedOrder(): Promise<{ status: number; error: unknown; ms: number }> {
  const started = Date.now();
  const response = await postJson(`${base}/order`, { user_id: "u", item: "widget", quantity: 1 });
  return { status: response.status, error: response.body.error, ms: Date.now() - started };
}

beforeAll(async () => {
  runDir = await mkdtemp(join(tmpdir(), "streaming-orders-outage-"));
  port = await freePortPair();
  const env = roleEnv(names, "producer", {
    KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}`,
    KAFKA_CONNECTION_TIMEOUT_MS: "1000",
    PRODUCER_HEALTH_CHECK_INTERVAL_MS: "1000",
  });
  producer = await startProducer(parseProducerConfig(env), createLogger("producer", "silent"));
  base = `http://127.0.0.1:${producer.port}`;
});

afterAll(async () => {
  await producer?.stop();
  if (runDir) {
    await kafkaScript("down").catch(() => undefined);
    await rm(runDir, { recursive: true, force: true });
  }
});

describe("the producer when Kafka is unavailable", () => {
  it("answers 503 quickly and is not ready while nothing listens at the bootstrap address", async () => {
    await eventually("a failed connection attempt", async () =>
      (await ready()).body.checks.kafka.detail.includes("ECONNREFUSED") ? true : undefined,
    );
    const answer = await timedOrder();
    expect(answer.status).toBe(503);
    expect(answer.error).toMatch(/^Kafka is unavailable: .*ECONNREFUSED/);
    expect(answer.ms).toBeLessThan(1000);

    const readiness = await ready();
    expect(readiness.status).toBe(503);
    expect(readiness.body.checks.kafka.detail).toMatch(/ECONNREFUSED/);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it("becomes ready and answers 202 once Kafka is up, and writes the order", async () => {
    await kafkaUp();
    await eventually(
      "producer ready",
      async () => ((await ready()).status === 200 ? true : undefined),
      60_000,
    );
    const answer = await timedOrder();
    expect(answer.status).toBe(202);
    expect(await ordersWritten()).toBe(1);
  });

  it("answers 503 within seconds when Kafka stops, never 202, and 202 again when it returns", async () => {
    await kafkaScript("down");
    const answers = [await timedOrder(), await timedOrder(), await timedOrder()];
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.ms).toBeLessThan(6000);
    }
    await eventually("producer not ready", async () =>
      (await ready()).status === 503 ? true : undefined,
    );

    await kafkaUp();
    await eventually(
      "producer ready again",
      async () => ((await ready()).status === 200 ? true : undefined),
      60_000,
    );
    expect((await timedOrder()).status).toBe(202);
    // A fresh broker: exactly the one order accepted since it came back.
    expect(await ordersWritten()).toBe(1);
  });
});
