import { randomUUID } from "node:crypto";
import type { InventoryResult, OrderPlaced } from "../src/events/types.js";

/** An OrderPlaced event for tests; fields may be overridden. */
export function anOrder(overrides: Partial<OrderPlaced> = {}): OrderPlaced {
  return {
    event_id: randomUUID(),
    event_type: "OrderPlaced",
    order_id: randomUUID(),
    timestamp: "2026-01-01T00:00:00.000Z",
    payload: { user_id: "user-1", item: "widget", quantity: 2 },
    ...overrides,
  };
}

/** An inventory result for `order`. */
export function aResult(
  order: OrderPlaced,
  success: boolean,
  overrides: Partial<InventoryResult> = {},
): InventoryResult {
  return {
    event_id: randomUUID(),
    event_type: success ? "InventoryReserved" : "InventoryFailed",
    order_id: order.order_id,
    timestamp: order.timestamp,
    success,
    ...overrides,
  };
}

export function bytes(value: unknown): Buffer {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
}
