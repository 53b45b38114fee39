import { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "./logger.js";

/**
 * Fastify logs through the role's pino logger, without a line per request: requests are measured
 * by `http_request_duration_seconds` instead, which stays cheap at thousands of requests a second.
 */
export function fastifyLogging(logger: Logger): {
  loggerInstance: FastifyBaseLogger;
  logController: LogController;
} {
  return {
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  };
}

/**
 * Once `app.close()` starts, responses carry `Connection: close`. Fastify reaps idle keep-alive
 * connections when it closes, but a connection whose request is still in flight (an order waiting
 * for Kafka) would otherwise stay open for the keep-alive timeout after its response; with this,
 * close() returns as soon as the last in-flight request is answered.
 */
export function closeConnectionsOnShutdown(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_request, reply) => {
    if (closing) void reply.header("connection", "close");
  });
}
