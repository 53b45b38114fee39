import type { AnalyticsConfig } from "../config/analytics.js";
import { createKafkaClient } from "../kafka/client.js";
import { startWithRetry } from "../kafka/start-with-retry.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { startOpsServer } from "../observability/ops-server.js";
import { Readiness } from "../observability/readiness.js";
import { createRegistry } from "../observability/registry.js";
import type { RunningRole } from "../role.js";
import { type AnalyticsSnapshot, OrderAnalytics } from "./aggregator.js";
import { AnalyticsConsumer } from "./consumer.js";
import { registerAnalyticsMetrics } from "./metrics.js";
import { SnapshotWriter } from "./snapshot-writer.js";

export interface RunningAnalytics extends RunningRole {
  snapshot(): AnalyticsSnapshot;
}

/**
 * Starts the analytics consumer, its JSON file writer and its HTTP server: `/metrics.json` (the
 * figures), `/metrics` (Prometheus), `/health`, `/ready`.
 */
export async function startAnalytics(
  config: AnalyticsConfig,
  options: { logger?: Logger; onFatal: (err: Error) => void },
): Promise<RunningAnalytics> {
  const logger = options.logger ?? createLogger("analytics", config.logLevel);
  const registry = createRegistry();
  const readiness = new Readiness(["kafka"]);
  const analytics = new OrderAnalytics({ dedupeCapacity: config.dedupeCapacity });
  registerAnalyticsMetrics(registry, analytics);
  const kafka = createKafkaClient(config.kafka, logger);
  const consumer = new AnalyticsConsumer({
    kafka,
    config,
    analytics,
    logger,
    readiness,
    registry,
    onFatal: options.onFatal,
  });
  const writer = new SnapshotWriter({
    path: config.outputPath,
    intervalMs: config.outputIntervalMs,
    snapshot: () => analytics.snapshot(),
    logger,
  });
  await writer.start();
  const { app, port } = await startOpsServer({
    ...config,
    registry,
    readiness,
    logger,
    routes: (server) => server.get("/metrics.json", async () => analytics.snapshot()),
  });

  const stopping = new AbortController();
  const started = startWithRetry("the analytics consumer", () => consumer.start(), {
    logger,
    signal: stopping.signal,
    onFailure: (reason) => readiness.set("kafka", false, `cannot connect to Kafka: ${reason}`),
  });
  logger.info(
    {
      port,
      groupId: config.groupId,
      topics: [config.ordersTopic, config.inventoryTopic],
      output: config.outputPath,
    },
    "analytics consumer starting",
  );

  return {
    port,
    readiness,
    snapshot: () => analytics.snapshot(),
    async stop() {
      stopping.abort();
      await started;
      await consumer.stop();
      await writer.stop();
      await app.close();
      logger.info("analytics consumer stopped");
    },
  };
}
