import type { InventoryConfig } from "../config/inventory.js";
import { createKafkaClient } from "../kafka/client.js";
import { startWithRetry } from "../kafka/start-with-retry.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { startOpsServer } from "../observability/ops-server.js";
import { Readiness } from "../observability/readiness.js";
import { createRegistry } from "../observability/registry.js";
import type { RunningRole } from "../role.js";
import { InventoryProcessor } from "./consumer.js";
import { createInventoryMetrics } from "./metrics.js";

/**
 * Starts the inventory consumer and its ops server (`/health`, `/ready`, `/metrics`). `onFatal`
 * is called when processing can never resume (e.g. this replica was fenced); the process should
 * exit so that it is restarted.
 */
export async function startInventory(
  config: InventoryConfig,
  options: { logger?: Logger; onFatal: (err: Error) => void },
): Promise<RunningRole> {
  const logger = options.logger ?? createLogger("inventory", config.logLevel);
  const registry = createRegistry();
  const readiness = new Readiness(["kafka"]);
  const metrics = createInventoryMetrics(registry);
  const kafka = createKafkaClient(config.kafka, logger);
  const processor = new InventoryProcessor({
    kafka,
    config,
    logger,
    metrics,
    readiness,
    registry,
    onFatal: options.onFatal,
  });
  const { app, port } = await startOpsServer({ ...config, registry, readiness, logger });

  const stopping = new AbortController();
  const started = startWithRetry("the inventory consumer", () => processor.start(), {
    logger,
    signal: stopping.signal,
    onFailure: (reason) => readiness.set("kafka", false, `cannot connect to Kafka: ${reason}`),
  });
  logger.info(
    {
      port,
      groupId: config.groupId,
      from: config.ordersTopic,
      to: config.inventoryTopic,
      deadLetters: config.deadLetterTopic,
      transactionalId: config.transactionalId,
    },
    "inventory consumer starting",
  );

  return {
    port,
    readiness,
    async stop() {
      stopping.abort();
      await started;
      await processor.stop();
      await app.close();
      logger.info("inventory consumer stopped");
    },
  };
}
