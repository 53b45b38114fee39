import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { closeConnectionsOnShutdown, fastifyLogging } from "./fastify-options.js";
import { instrumentHttp } from "./http-metrics.js";
import type { Logger } from "./logger.js";
import { registerOpsRoutes } from "./ops-routes.js";
import type { Readiness } from "./readiness.js";

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  readiness: Readiness;
  logger: Logger;
  /** Role-specific routes, e.g. analytics' `GET /metrics.json`. */
  routes?: (app: FastifyInstance) => void;
}

/** The consumers' HTTP server: `/health`, `/ready`, `/metrics`, plus the role's own routes. */
export async function startOpsServer(
  options: OpsServerOptions,
): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify(fastifyLogging(options.logger));
  closeConnectionsOnShutdown(app);
  instrumentHttp(app, options.registry);
  registerOpsRoutes(app, options);
  options.routes?.(app);
  await app.listen({ host: options.host, port: options.port });
  return { app, port: (app.server.address() as AddressInfo).port };
}
