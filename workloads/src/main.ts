/**
 * One entry point for every workload:
 *   node dist/workloads/src/main.js producer|inventory|analytics
 * Configuration comes from the environment (workloads/README.md); SIGTERM and SIGINT stop the role
 * gracefully, a second signal exits at once.
 */
import { startAnalytics } from "./analytics/service.js";
import { parseAnalyticsConfig } from "./config/analytics.js";
import { ConfigError, type Env } from "./config/env.js";
import { parseInventoryConfig } from "./config/inventory.js";
import { parseLogLevel } from "./config/kafka.js";
import { parseProducerConfig } from "./config/producer.js";
import { startInventory } from "./inventory/service.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { startProducer } from "./producer/service.js";
import { ROLES, type Role, type RunningRole } from "./role.js";

// Longest a graceful stop may take; Kubernetes' default grace period is 30 s.
const STOP_TIMEOUT_MS = 25_000;

function start(
  role: Role,
  env: Env,
  logger: Logger,
  onFatal: (err: Error) => void,
): Promise<RunningRole> {
  switch (role) {
    case "producer":
      return startProducer(parseProducerConfig(env), logger);
    case "inventory":
      return startInventory(parseInventoryConfig(env), { logger, onFatal });
    case "analytics":
      return startAnalytics(parseAnalyticsConfig(env), { logger, onFatal });
  }
}

async function main(): Promise<void> {
  const role = process.argv[2];
  if (!ROLES.includes(role as Role)) {
    process.stderr.write(`usage: main.js ${ROLES.join("|")}\n`);
    process.exit(2);
  }
  let logger = createLogger(role as Role);
  let running: RunningRole | undefined;
  let stopping = false;

  const stop = async (exitCode: number, why: string) => {
    if (stopping) {
      logger.warn({ why }, "second stop request; exiting now");
      process.exit(exitCode || 1);
    }
    stopping = true;
    logger.info({ why }, "stopping");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: STOP_TIMEOUT_MS }, "graceful stop timed out; exiting");
      process.exit(exitCode || 1);
    }, STOP_TIMEOUT_MS);
    timer.unref();
    try {
      await running?.stop();
    } catch (err) {
      logger.error({ err }, "error while stopping");
      exitCode ||= 1;
    }
    process.exit(exitCode);
  };
  const onFatal = (err: Error) => {
    logger.fatal({ err }, "unrecoverable error");
    void stop(1, "fatal error");
  };

  process.on("SIGTERM", () => void stop(0, "SIGTERM"));
  process.on("SIGINT", () => void stop(0, "SIGINT"));
  process.on("unhandledRejection", (err) =>
    onFatal(err instanceof Error ? err : new Error(String(err))),
  );
  process.on("uncaughtException", onFatal);

  try {
    logger = createLogger(role as Role, parseLogLevel(process.env));
    running = await start(role as Role, process.env, logger, onFatal);
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.fatal({ variable: err.variable }, `invalid configuration: ${err.message}`);
      process.exit(2);
    }
    logger.fatal({ err }, "could not start");
    process.exit(1);
  }
}

await main();
