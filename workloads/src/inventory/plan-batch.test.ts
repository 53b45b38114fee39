import { describe, expect, it } from "vitest";
import { anOrder, bytes } from "../../test/factories.js";
import { decodeInventoryResult, encodeEvent } from "../events/codec.js";
import type { OrderPlaced } from "../events/types.js";
import { inventoryResultFor } from "./decide.js";
import { DEAD_LETTER_HEADERS, type InboundMessage, planBatch } from "./plan-batch.js";

const source = { topic: "order-events", partition: 2, groupId: "inventory-group" };
const nothingSeen = { has: () => false };

function messages(...values: (OrderPlaced | Buffer | null)[]): InboundMessage[] {
  return values.map((value, i) => ({
    key: value && !Buffer.isBuffer(value) ? Buffer.from(value.order_id) : null,
    value: value === null || Buffer.isBuffer(value) ? value : Buffer.from(encodeEvent(value)),
    offset: String(100 + i),
  }));
}

describe("planBatch", () => {
  it("makes one result per order, keyed by order id, counting outcomes", () => {
    const orders = Array.from({ length: 50 }, () => anOrder());
    const plan = planBatch(messages(...orders), source, nothingSeen);
    expect(plan.results.map((r) => r.key)).toEqual(orders.map((o) => o.order_id));
    expect(plan.results.map((r) => decodeInventoryResult(bytes(r.value)))).toEqual(
      orders.map((o) => ({
        ok: true,
        event: inventoryResultFor(o),
        time: Date.parse(o.timestamp),
      })),
    );
    expect(plan.reserved + plan.failed).toBe(50);
    expect(plan.reserved).toBe(orders.filter((o) => inventoryResultFor(o).success).length);
    expect(plan.decidedOrderIds).toEqual(orders.map((o) => o.order_id));
    expect(plan.deadLetters).toEqual([]);
  });

  it("makes no second result for a duplicated event, in the batch or seen before", () => {
    const [a, b, c] = [anOrder(), anOrder(), anOrder()] as [OrderPlaced, OrderPlaced, OrderPlaced];
    const seen = new Set([c.order_id]);
    const plan = planBatch(messages(a, b, a, c, b), source, seen);
    expect(plan.results.map((r) => r.key)).toEqual([a.order_id, b.order_id]);
    expect(plan.duplicates).toBe(3);
  });

  it("sends what it cannot parse to the dead-letter topic with the reason and origin, and goes on", () => {
    const good = anOrder();
    const plan = planBatch(messages(bytes("not json"), null, good), source, nothingSeen);
    expect(plan.results.map((r) => r.key)).toEqual([good.order_id]);
    expect(plan.deadLetters).toHaveLength(2);
    expect(plan.deadLetters[0]).toEqual({
      key: null,
      value: bytes("not json"),
      headers: {
        [DEAD_LETTER_HEADERS.reason]: expect.stringContaining("value is not valid JSON"),
        [DEAD_LETTER_HEADERS.topic]: "order-events",
        [DEAD_LETTER_HEADERS.partition]: "2",
        [DEAD_LETTER_HEADERS.offset]: "100",
        [DEAD_LETTER_HEADERS.group]: "inventory-group",
      },
    });
    expect(plan.deadLetters[1]?.headers?.[DEAD_LETTER_HEADERS.reason]).toBe("message has no value");
  });
});
