import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { encodeEvent } from "../events/codec.js";
import { newOrderPlaced } from "../events/order-placed.js";
import type { OrderRequest } from "../events/types.js";
import { closeConnectionsOnShutdown, fastifyLogging } from "../observability/fastify-options.js";
import { instrumentHttp } from "../observability/http-metrics.js";
import type { Logger } from "../observability/logger.js";
import { registerOpsRoutes } from "../observability/ops-routes.js";
import type { Readiness } from "../observability/readiness.js";
import type { ProducerMetrics, RejectReason } from "./metrics.js";
import { KafkaUnavailableError, type OrderRecord, type OrderSink } from "./order-sink.js";
import {
  acceptedBatchSchema,
  acceptedOrderSchema,
  batchSchema,
  errorSchema,
  orderSchema,
} from "./schemas.js";
import { describeSchemaError, type RequestProblem } from "./validation-errors.js";

export interface ProducerAppDeps {
  sink: OrderSink;
  readiness: Readiness;
  registry: Registry;
  metrics: ProducerMetrics;
  logger: Logger;
}

const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * The producer's HTTP API. Bodies are validated by the routes' JSON schemas (no type coercion:
 * `"quantity": "5"` is a 400); an order is answered 202 only after Kafka acknowledged it.
 */
export function buildProducerApp(deps: ProducerAppDeps): FastifyInstance {
  const { sink, metrics } = deps;
  const app = Fastify({
    ...fastifyLogging(deps.logger),
    bodyLimit: BODY_LIMIT_BYTES,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  // Only JSON bodies: text/plain would otherwise reach the schema as a string.
  app.removeContentTypeParser("text/plain");
  closeConnectionsOnShutdown(app);
  instrumentHttp(app, deps.registry);
  registerOpsRoutes(app, deps);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = classify(error, request.body);
    if (problem === undefined) {
      request.log.error({ err: error, url: request.url }, "unexpected error");
      return reply.code(500).send({ error: "internal error" });
    }
    metrics.requestsRejected.inc({ reason: problem.reason });
    if (problem.status === 503) {
      request.log.warn({ url: request.url, reason: problem.body.error }, "Kafka unavailable");
      void reply.header("retry-after", "1");
    }
    return reply.code(problem.status).send(problem.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route for ${request.method} ${request.url}` }),
  );

  const errors = { 400: errorSchema, 413: errorSchema, 415: errorSchema, 503: errorSchema };

  app.post<{ Body: OrderRequest }>(
    "/order",
    { schema: { body: orderSchema, response: { 202: acceptedOrderSchema, ...errors } } },
    async (request, reply) => {
      const timestamp = new Date().toISOString();
      const event = newOrderPlaced(request.body, timestamp);
      await sink.send([{ key: event.order_id, value: encodeEvent(event) }]);
      metrics.ordersAccepted.inc();
      return reply.code(202).send({ order_id: event.order_id, status: "accepted", timestamp });
    },
  );

  app.post<{ Body: { orders: OrderRequest[] } }>(
    "/orders/batch",
    { schema: { body: batchSchema, response: { 202: acceptedBatchSchema, ...errors } } },
    async (request, reply) => {
      const timestamp = new Date().toISOString();
      const { orders } = request.body;
      const records: OrderRecord[] = new Array(orders.length);
      const orderIds: string[] = new Array(orders.length);
      for (let i = 0; i < orders.length; i++) {
        const event = newOrderPlaced(orders[i] as OrderRequest, timestamp);
        orderIds[i] = event.order_id;
        records[i] = { key: event.order_id, value: encodeEvent(event) };
      }
      await sink.send(records);
      metrics.ordersAccepted.inc(orders.length);
      return reply
        .code(202)
        .send({ order_ids: orderIds, count: orderIds.length, status: "accepted", timestamp });
    },
  );

  return app;
}

interface ClassifiedProblem {
  status: 400 | 413 | 415 | 503;
  reason: RejectReason;
  body: { error: string; field?: string };
}

function classify(error: FastifyError, body: unknown): ClassifiedProblem | undefined {
  if (error instanceof KafkaUnavailableError) {
    return {
      status: 503,
      reason: "kafka_unavailable",
      body: { error: `${error.message}; nothing was accepted, retry later` },
    };
  }
  const first = error.validation?.[0];
  if (first !== undefined) {
    return fromProblem(describeSchemaError(first, body));
  }
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return fromProblem({ status: 400, error: "the body is not valid JSON" });
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return fromProblem({ status: 400, error: "the body is empty; send a JSON object" });
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return fromProblem({
        status: 413,
        error: `the body is larger than ${BODY_LIMIT_BYTES} bytes`,
      });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        status: 415,
        reason: "unsupported_media_type",
        body: { error: "Content-Type must be application/json" },
      };
  }
  if (error.statusCode === 400) return fromProblem({ status: 400, error: error.message });
  return undefined;
}

function fromProblem(problem: RequestProblem): ClassifiedProblem {
  return {
    status: problem.status,
    reason: problem.status === 413 ? "too_large" : "invalid",
    body:
      problem.field === undefined
        ? { error: problem.error }
        : { error: problem.error, field: problem.field },
  };
}
