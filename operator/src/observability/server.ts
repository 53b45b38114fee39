import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";

export interface HealthChecks {
  /** Liveness: the process works (its event loop answers). */
  healthy: () => boolean;
  /** Readiness: ready to do its job, or why not. */
  ready: () => { ok: true } | { ok: false; reason: string };
}

/** /healthz, /readyz and /metrics on one port (0 picks a free one). */
export async function startHttpServer(
  port: number,
  host: string,
  checks: HealthChecks,
  registry: Registry,
): Promise<{ server: FastifyInstance; port: number }> {
  const server = Fastify({ logger: false });
  server.get("/healthz", async (_req, reply) =>
    checks.healthy() ? "ok" : reply.code(500).send("unhealthy"),
  );
  server.get("/readyz", async (_req, reply) => {
    const ready = checks.ready();
    return ready.ok ? "ok" : reply.code(503).send(`not ready: ${ready.reason}`);
  });
  server.get("/metrics", async (_req, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
  await server.listen({ port, host });
  const address = server.server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return { server, port: actual };
}
