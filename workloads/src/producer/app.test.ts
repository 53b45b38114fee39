import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeOrderPlaced } from "../events/codec.js";
import { Readiness } from "../observability/readiness.js";
import { createRegistry } from "../observability/registry.js";
import { buildProducerApp } from "./app.js";
import { createProducerMetrics } from "./metrics.js";
import { KafkaUnavailableError, type OrderRecord, type OrderSink } from "./order-sink.js";

/** Records what would have been produced; fails sends while `down` is set. */
class FakeSink implements OrderSink {
  readonly sent: OrderRecord[][] = [];
  down: string | undefined;

  async send(records: OrderRecord[]): Promise<void> {
    if (this.down) throw new KafkaUnavailableError(this.down);
    this.sent.push(records);
  }
}

const order = (overrides: Record<string, unknown> = {}) => ({
  user_id: "u-1",
  item: "widget",
  quantity: 3,
  ...overrides,
});
const orders = (n: number) => Array.from({ length: n }, (_, i) => order({ user_id: `u-${i}` }));

let sink: FakeSink;
let readiness: Readiness;
let app: FastifyInstance;

beforeEach(async () => {
  sink = new FakeSink();
  readiness = new Readiness(["kafka"]);
  const registry = createRegistry();
  app = buildProducerApp({
    sink,
    readiness,
    registry,
    metrics: createProducerMetrics(registry),
    logger: pino({ level: "silent" }),
  });
  await app.ready();
});

afterEach(() => app.close());

const post = (url: string, payload: unknown) =>
  app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  });

describe("POST /order", () => {
  it("answers 202 with the order id and timestamp of the event it produced, keyed by order id", async () => {
    const response = await post("/order", order());
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toEqual({
      order_id: expect.any(String),
      status: "accepted",
      timestamp: expect.any(String),
    });
    expect(sink.sent).toHaveLength(1);
    const [record] = sink.sent[0] ?? [];
    expect(record?.key).toBe(body.order_id);
    const decoded = decodeOrderPlaced(Buffer.from(record?.value ?? ""));
    expect(decoded).toMatchObject({
      ok: true,
      event: {
        event_type: "OrderPlaced",
        order_id: body.order_id,
        timestamp: body.timestamp,
        payload: { user_id: "u-1", item: "widget", quantity: 3 },
      },
    });
  });

  it.each([
    ["malformed JSON", '{"user_id": "u", ', 400, { error: "the body is not valid JSON" }],
    ["an empty body", "", 400, { error: "the body is empty; send a JSON object" }],
    ["a JSON array", [order()], 400, { error: "the body must be a JSON object" }],
    [
      "a missing user_id",
      { item: "w", quantity: 1 },
      400,
      { error: "user_id is required", field: "user_id" },
    ],
    [
      "a missing quantity",
      { user_id: "u", item: "w" },
      400,
      { error: "quantity is required", field: "quantity" },
    ],
    [
      "a quantity given as a string",
      order({ quantity: "5" }),
      400,
      { error: "quantity must be an integer between 1 and 100", field: "quantity" },
    ],
    [
      "a fractional quantity",
      order({ quantity: 1.5 }),
      400,
      { error: "quantity must be an integer between 1 and 100", field: "quantity" },
    ],
    [
      "quantity 0",
      order({ quantity: 0 }),
      400,
      { error: "quantity must be an integer between 1 and 100", field: "quantity" },
    ],
    [
      "quantity 101",
      order({ quantity: 101 }),
      400,
      { error: "quantity must be an integer between 1 and 100", field: "quantity" },
    ],
    [
      "an empty item",
      order({ item: "" }),
      400,
      { error: "item must be a non-blank string of at most 200 characters", field: "item" },
    ],
    [
      "a blank item",
      order({ item: "   " }),
      400,
      { error: "item must be a non-blank string of at most 200 characters", field: "item" },
    ],
    [
      "a numeric user_id",
      order({ user_id: 42 }),
      400,
      { error: "user_id must be a non-blank string of at most 100 characters", field: "user_id" },
    ],
  ])("rejects %s and produces nothing", async (_name, payload, status, body) => {
    const response = await post("/order", payload);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual(body);
    expect(sink.sent).toHaveLength(0);
  });

  it("rejects a body that is not JSON with 415", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/order",
      headers: { "content-type": "text/plain" },
      payload: "user_id=u",
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({ error: "Content-Type must be application/json" });
  });

  it("answers 503 and never 202 when Kafka cannot take the write", async () => {
    sink.down = "connect ECONNREFUSED 127.0.0.1:9";
    const response = await post("/order", order());
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("1");
    expect(response.json().error).toMatch(/^Kafka is unavailable: connect ECONNREFUSED/);
  });
});

describe("POST /orders/batch", () => {
  it("answers 202 with every order id after one send holding the whole batch", async () => {
    const response = await post("/orders/batch", { orders: orders(1000) });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toMatchObject({ count: 1000, status: "accepted", timestamp: expect.any(String) });
    expect(new Set(body.order_ids).size).toBe(1000);
    expect(sink.sent).toHaveLength(1);
    expect(sink.sent[0]?.map((r) => r.key)).toEqual(body.order_ids);
  });

  it.each([
    ["no orders field", {}, 400, { error: "orders is required", field: "orders" }],
    [
      "orders that is not an array",
      { orders: "x" },
      400,
      { error: "orders must be an array of orders", field: "orders" },
    ],
    [
      "an empty batch",
      { orders: [] },
      400,
      { error: "orders must contain at least one order", field: "orders" },
    ],
    [
      "one bad order among good ones",
      { orders: [...orders(3), order({ quantity: 0 }), ...orders(2)] },
      400,
      { error: "quantity must be an integer between 1 and 100", field: "orders[3].quantity" },
    ],
    [
      "an order missing its item",
      { orders: [order(), { user_id: "u", quantity: 1 }] },
      400,
      { error: "item is required", field: "orders[1].item" },
    ],
    [
      "an order that is not an object",
      { orders: [order(), 7] },
      400,
      { error: "each order must be a JSON object", field: "orders[1]" },
    ],
    [
      "1001 orders",
      { orders: orders(1001) },
      413,
      { error: "a batch holds at most 1000 orders, got 1001", field: "orders" },
    ],
    [
      "1001 orders that are all invalid",
      { orders: Array.from({ length: 1001 }, () => ({})) },
      413,
      { error: "a batch holds at most 1000 orders, got 1001", field: "orders" },
    ],
  ])("rejects %s and produces nothing", async (_name, payload, status, body) => {
    const response = await post("/orders/batch", payload);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual(body);
    expect(sink.sent).toHaveLength(0);
  });

  it("answers 413 for a body over the size limit", async () => {
    const response = await post("/orders/batch", {
      orders: orders(1),
      padding: "x".repeat(3 * 1024 * 1024),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error).toMatch(/larger than/);
  });
});

describe("operational routes", () => {
  it("is alive always and ready only while Kafka is connected", async () => {
    expect((await app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    const notReady = await app.inject({ method: "GET", url: "/ready" });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({
      ready: false,
      checks: { kafka: { ok: false, detail: "starting" } },
    });
    readiness.set("kafka", true, "connected");
    expect((await app.inject({ method: "GET", url: "/ready" })).statusCode).toBe(200);
  });

  it("exports Prometheus counters and histograms with conventional names", async () => {
    await post("/orders/batch", { orders: orders(5) });
    await post("/order", order({ quantity: 0 }));
    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain/);
    expect(metrics.body).toContain("orders_accepted_total 5");
    expect(metrics.body).toContain('order_requests_rejected_total{reason="invalid"} 1');
    expect(metrics.body).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="POST",route="/order",status_code="400"}',
    );
    expect(metrics.body).toContain("process_cpu_seconds_total");
  });

  it("answers unknown routes with a JSON 404", async () => {
    const response = await app.inject({ method: "GET", url: "/orders" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "no route for GET /orders" });
  });
});
