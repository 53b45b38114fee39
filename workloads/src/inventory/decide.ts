import { inventoryResultId } from "../events/ids.js";
import type { InventoryResult, OrderPlaced } from "../events/types.js";

/** 32-bit FNV-1a over the UTF-16 code units of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Whether stock is reserved for the order: a pure function of its order id, true for 9 in 10
 * orders, as in the seed system. A replay of the same events reaches the same outcomes.
 */
export function reservesStock(order: OrderPlaced): boolean {
  return fnv1a32(order.order_id) % 10 !== 0;
}

/**
 * The inventory outcome for an order. Its id and timestamp derive from the order event, so
 * processing the same event again yields the identical result event.
 */
export function inventoryResultFor(order: OrderPlaced): InventoryResult {
  const success = reservesStock(order);
  return {
    event_id: inventoryResultId(order.event_id),
    event_type: success ? "InventoryReserved" : "InventoryFailed",
    order_id: order.order_id,
    timestamp: order.timestamp,
    success,
  };
}
