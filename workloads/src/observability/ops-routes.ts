import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { Readiness } from "./readiness.js";

/**
 * `GET /health` (the process serves requests: liveness), `GET /ready` (every readiness check holds,
 * e.g. Kafka is connected) and `GET /metrics` (Prometheus text format).
 */
export function registerOpsRoutes(
  app: FastifyInstance,
  deps: { registry: Registry; readiness: Readiness },
): void {
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/ready", async (_request, reply) => {
    const report = deps.readiness.report();
    return reply.code(report.ready ? 200 : 503).send(report);
  });
  app.get("/metrics", async (_request, reply) => {
    const body = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(body);
  });
}
