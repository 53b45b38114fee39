import type { FastifyInstance } from "fastify";
import { Histogram, type Registry } from "prom-client";
import { LATENCY_BUCKETS } from "./registry.js";

/** `http_request_duration_seconds{method, route, status_code}` for every request `app` serves. */
export function instrumentHttp(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency, from receipt to the end of the response",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  app.addHook("onResponse", async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? "unmatched",
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });
}
