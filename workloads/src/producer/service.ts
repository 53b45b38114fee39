import type { AddressInfo } from "node:net";
import type { ProducerConfig } from "../config/producer.js";
import { createKafkaClient } from "../kafka/client.js";
import { ProducerConnection } from "../kafka/producer-connection.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { Readiness } from "../observability/readiness.js";
import { createRegistry } from "../observability/registry.js";
import type { RunningRole } from "../role.js";
import { buildProducerApp } from "./app.js";
import { createProducerMetrics } from "./metrics.js";
import { KafkaOrderSink } from "./order-sink.js";

/**
 * Starts the order producer: HTTP on `config.port`, one idempotent Kafka producer connecting in
 * the background. `stop()` stops accepting, lets in-flight requests finish their sends, then
 * disconnects.
 */
export async function startProducer(
  config: ProducerConfig,
  logger: Logger = createLogger("producer", config.logLevel),
): Promise<RunningRole> {
  const registry = createRegistry();
  const metrics = createProducerMetrics(registry);
  const readiness = new Readiness(["kafka", "accepting"]);
  readiness.set("accepting", true, "accepting orders");

  // Fail fast: a request waits at most sendTimeoutMs, and kafkajs gives up well before that.
  const retry = { retries: config.sendRetries, initialRetryTime: 100, maxRetryTime: 1000 };
  const kafka = createKafkaClient(config.kafka, logger, retry);
  const connection = new ProducerConnection({
    kafka,
    logger,
    healthCheckIntervalMs: config.healthCheckIntervalMs,
    sendRetry: retry,
    onStateChange: (connected, detail) => {
      readiness.set("kafka", connected, detail);
      metrics.kafkaConnected.set(connected ? 1 : 0);
    },
  });
  const sink = new KafkaOrderSink({
    connection,
    topic: config.ordersTopic,
    sendTimeoutMs: config.sendTimeoutMs,
    metrics,
  });
  const app = buildProducerApp({ sink, readiness, registry, metrics, logger });

  connection.start();
  await app.listen({ host: config.host, port: config.port });
  const { port } = app.server.address() as AddressInfo;
  logger.info(
    { port, topic: config.ordersTopic, brokers: config.kafka.brokers },
    "producer listening",
  );

  return {
    port,
    readiness,
    async stop() {
      readiness.set("accepting", false, "shutting down");
      await app.close();
      await sink.drain();
      await connection.stop();
      logger.info("producer stopped");
    },
  };
}
