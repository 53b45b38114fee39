import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseProducerConfig } from "../../../workloads/src/config/producer.js";
import { decodeOrderPlaced } from "../../../workloads/src/events/codec.js";
import { createLogger } from "../../../workloads/src/observability/logger.js";
import { startProducer } from "../../../workloads/src/producer/service.js";
import type { RunningRole } from "../../../workloads/src/role.js";
import { eventually } from "../../support/eventually.js";
import { testKafka } from "../../support/kafka.js";
import {
  createPipelineTopics,
  deletePipeline,
  orders,
  postJson,
  readTopic,
  roleEnv,
  topicSize,
  uniquePipelineNames,
} from "./harness.js";

const kafka = testKafka("producer-it");
const names = uniquePipelineNames("producer-it");
let admin: Admin;
let producer: RunningRole;
let base: string;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await createPipelineTopics(admin, names);
  producer = await startProducer(
    parseProducerConfig(roleEnv(names, "producer")),
    createLogger("producer", "warn"),
  );
  base = `http://127.0.0.1:${producer.port}`;
  await eventually("the producer is ready", async () => producer.readiness.ready || undefined);
});

afterAll(async () => {
  await producer?.stop();
  await deletePipeline(admin, names);
  await admin.disconnect();
});

const order = (overrides: Record<string, unknown> = {}) => ({
  user_id: "u-1",
  item: "widget",
  quantity: 3,
  ...overrides,
});

describe("the order producer on a real broker", () => {
  it("rejects every kind of bad input with its status and message, and produces nothing", async () => {
    const cases: [string, string, unknown, number, Record<string, unknown>][] = [
      ["/order", "malformed JSON", '{"user_id": ', 400, { error: "the body is not valid JSON" }],
      [
        "/order",
        "missing field",
        { user_id: "u", item: "w" },
        400,
        { error: "quantity is required", field: "quantity" },
      ],
      [
        "/order",
        "mistyped field",
        order({ quantity: "3" }),
        400,
        { error: "quantity must be an integer between 1 and 100", field: "quantity" },
      ],
      ["/order", "quantity 0", order({ quantity: 0 }), 400, { field: "quantity" }],
      ["/order", "quantity 101", order({ quantity: 101 }), 400, { field: "quantity" }],
      ["/order", "empty item", order({ item: "" }), 400, { field: "item" }],
      ["/orders/batch", "malformed JSON", "[{", 400, { error: "the body is not valid JSON" }],
      [
        "/orders/batch",
        "empty batch",
        { orders: [] },
        400,
        { error: "orders must contain at least one order" },
      ],
      [
        "/orders/batch",
        "one bad order in a batch",
        { orders: [...orders(10), order({ quantity: 500 }), ...orders(10)] },
        400,
        { error: "quantity must be an integer between 1 and 100", field: "orders[10].quantity" },
      ],
      [
        "/orders/batch",
        "1001 orders",
        { orders: orders(1001) },
        413,
        { error: "a batch holds at most 1000 orders, got 1001", field: "orders" },
      ],
    ];
    for (const [path, what, body, status, expected] of cases) {
      const response = await postJson(`${base}${path}`, body);
      expect({ what, status: response.status }).toEqual({ what, status });
      expect(response.body).toMatchObject(expected);
    }
    expect(await topicSize(admin, names.orders)).toBe(0);
  });

  it("writes accepted orders keyed by order id before answering 202", async () => {
    const single = await postJson(`${base}/order`, order());
    expect(single.status).toBe(202);
    const batch = await postJson(`${base}/orders/batch`, { orders: orders(1000) });
    expect(batch.status).toBe(202);
    expect(batch.body).toMatchObject({ count: 1000, status: "accepted" });
    expect(Date.parse(String(batch.body.timestamp))).not.toBeNaN();

    // Acknowledged means written: the records are there the moment the 202 arrives.
    expect(await topicSize(admin, names.orders)).toBe(1001);
    const written = await readTopic(kafka, names.orders);
    const byKey = new Map(written.map((m) => [String(m.key), decodeOrderPlaced(m.value)]));
    const expectedIds = [single.body.order_id, ...(batch.body.order_ids as string[])];
    expect([...byKey.keys()].sort()).toEqual([...expectedIds].sort());
    for (const [key, decoded] of byKey) {
      expect(decoded.ok && decoded.event.order_id).toBe(key);
    }
  });

  it("answers 202 only for orders it wrote when stopped under load, and flushes them", async () => {
    const before = await topicSize(admin, names.orders);
    const second = await startProducer(
      parseProducerConfig(roleEnv(names, "producer")),
      createLogger("producer", "warn"),
    );
    await eventually(
      "the second producer is ready",
      async () => second.readiness.ready || undefined,
    );
    const url = `http://127.0.0.1:${second.port}`;
    // Twenty clients post orders back to back; the producer is stopped while they do.
    let accepted = 0;
    let refused = 0;
    const client = async (c: number) => {
      for (let i = 0; ; i++) {
        const response = await postJson(
          `${url}/order`,
          order({ user_id: `shutdown-${c}-${i}` }),
        ).catch(() => undefined);
        if (response?.status === 202) accepted++;
        else {
          refused++;
          return;
        }
      }
    };
    const clients = Array.from({ length: 20 }, (_, c) => client(c));
    await eventually("orders flowing", async () => (accepted >= 200 ? true : undefined));
    await second.stop();
    await Promise.all(clients);
    expect(refused).toBe(20);
    expect(await topicSize(admin, names.orders)).toBe(before + accepted);
  });
});
