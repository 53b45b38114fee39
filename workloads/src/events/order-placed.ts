import { randomUUID } from "node:crypto";
import type { OrderPlaced, OrderRequest } from "./types.js";

/** A new `OrderPlaced` event with fresh event and order ids, placed at `timestamp`. */
export function newOrderPlaced(order: OrderRequest, timestamp: string): OrderPlaced {
  return {
    event_id: randomUUID(),
    event_type: "OrderPlaced",
    order_id: randomUUID(),
    timestamp,
    payload: { user_id: order.user_id, item: order.item, quantity: order.quantity },
  };
}
