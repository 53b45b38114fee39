/** An order as the producer's HTTP API accepts it. */
export interface OrderRequest {
  user_id: string;
  item: string;
  quantity: number;
}

/** Published to `order-events`, keyed by `order_id`. */
export interface OrderPlaced {
  event_id: string;
  event_type: "OrderPlaced";
  order_id: string;
  /** ISO 8601, UTC. */
  timestamp: string;
  payload: OrderRequest;
}

export type InventoryEventType = "InventoryReserved" | "InventoryFailed";

/** Published to `inventory-events`, keyed by `order_id`: the inventory consumer's outcome. */
export interface InventoryResult {
  event_id: string;
  event_type: InventoryEventType;
  order_id: string;
  /** The order's own timestamp, so a replay reproduces the same event. */
  timestamp: string;
  success: boolean;
}

export type PipelineEvent = OrderPlaced | InventoryResult;
