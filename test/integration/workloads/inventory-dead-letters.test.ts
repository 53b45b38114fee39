import type { Admin, Message } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseInventoryConfig } from "../../../workloads/src/config/inventory.js";
import { decodeInventoryResult, encodeEvent } from "../../../workloads/src/events/codec.js";
import { newOrderPlaced } from "../../../workloads/src/events/order-placed.js";
import type { OrderPlaced } from "../../../workloads/src/events/types.js";
import { inventoryResultFor } from "../../../workloads/src/inventory/decide.js";
import { DEAD_LETTER_HEADERS } from "../../../workloads/src/inventory/plan-batch.js";
import { startInventory } from "../../../workloads/src/inventory/service.js";
import { createLogger } from "../../../workloads/src/observability/logger.js";
import type { RunningRole } from "../../../workloads/src/role.js";
import { eventually } from "../../support/eventually.js";
import { testKafka } from "../../support/kafka.js";
import {
  countByKey,
  createPipelineTopics,
  deletePipeline,
  groupCaughtUp,
  readTopic,
  roleEnv,
  uniquePipelineNames,
} from "./harness.js";

const kafka = testKafka("inventory-dlq-it");
const names = uniquePipelineNames("inventory-dlq");
let admin: Admin;
let inventory: RunningRole | undefined;
const fatal: Error[] = [];

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await createPipelineTopics(admin, names);
});

afterAll(async () => {
  await inventory?.stop();
  await deletePipeline(admin, names);
  await admin.disconnect();
});

const record = (order: OrderPlaced): Message => ({
  key: order.order_id,
  value: encodeEvent(order),
});

describe("the inventory consumer with duplicated and unparseable input", () => {
  it("makes one result per order, dead-letters what it cannot parse with the reason, and goes on", async () => {
    const first = Array.from({ length: 300 }, (_, i) =>
      newOrderPlaced({ user_id: `u-${i}`, item: "widget", quantity: 1 }, new Date().toISOString()),
    );
    const later = Array.from({ length: 100 }, (_, i) =>
      newOrderPlaced({ user_id: `v-${i}`, item: "gadget", quantity: 2 }, new Date().toISOString()),
    );
    const badKey = "bad-order";
    const bad: Message[] = [
      { key: badKey, value: "{this is not json" },
      { key: badKey, value: JSON.stringify({ event_type: "OrderPlaced", order_id: "x" }) },
      { key: badKey, value: null },
    ];
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: names.orders, acks: -1, messages: first.map(record) });
    // The same events again: a redelivery from upstream must not produce second results.
    await producer.send({
      topic: names.orders,
      acks: -1,
      messages: first.slice(0, 50).map(record),
    });
    await producer.send({ topic: names.orders, acks: -1, messages: bad });
    await producer.send({ topic: names.orders, acks: -1, messages: later.map(record) });
    await producer.disconnect();

    inventory = await startInventory(parseInventoryConfig(roleEnv(names, "inventory")), {
      logger: createLogger("inventory", "silent"),
      onFatal: (err) => fatal.push(err),
    });
    await eventually(
      "the inventory group to commit the end of order-events",
      async () =>
        (await groupCaughtUp(admin, names.inventoryGroup, names.orders)) ? true : undefined,
      60_000,
    );

    const orders = [...first, ...later];
    const results = await readTopic(kafka, names.inventory);
    expect(results).toHaveLength(orders.length);
    expect([...countByKey(results).values()].every((n) => n === 1)).toBe(true);
    const byOrder = new Map(results.map((m) => [String(m.key), decodeInventoryResult(m.value)]));
    for (const order of orders) {
      const decoded = byOrder.get(order.order_id);
      expect(decoded?.ok && decoded.event).toEqual(inventoryResultFor(order));
    }

    const deadLetters = await readTopic(kafka, names.deadLetters);
    expect(deadLetters).toHaveLength(3);
    const header = (m: (typeof deadLetters)[number], name: string) => String(m.headers?.[name]);
    expect(deadLetters.map((m) => header(m, DEAD_LETTER_HEADERS.reason))).toEqual([
      expect.stringContaining("value is not valid JSON"),
      "event_id must be a non-empty string",
      "message has no value",
    ]);
    for (const m of deadLetters) {
      expect(String(m.key)).toBe(badKey);
      expect(header(m, DEAD_LETTER_HEADERS.topic)).toBe(names.orders);
      expect(header(m, DEAD_LETTER_HEADERS.group)).toBe(names.inventoryGroup);
    }
    // Same key, so the same partition: the three bad messages sit at consecutive offsets there.
    const origins = deadLetters.map((m) => [
      Number(header(m, DEAD_LETTER_HEADERS.partition)),
      Number(header(m, DEAD_LETTER_HEADERS.offset)),
    ]);
    const [partition, offset] = origins[0] ?? [];
    expect(origins).toEqual([0, 1, 2].map((i) => [partition, (offset ?? 0) + i]));
    expect(deadLetters[0]?.value?.toString()).toBe("{this is not json");

    const metrics = await (await fetch(`http://127.0.0.1:${inventory.port}/metrics`)).text();
    expect(metrics).toContain("inventory_dead_lettered_total 3");
    expect(metrics).toContain("inventory_duplicates_total 50");
    expect(metrics).toMatch(/inventory_processed_total\{outcome="reserved"\} \d+/);
    expect((await fetch(`http://127.0.0.1:${inventory.port}/ready`)).status).toBe(200);
    expect(fatal).toEqual([]);
  });
});
