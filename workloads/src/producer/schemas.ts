import { ORDER_LIMITS } from "../events/limits.js";

/** One order, as `POST /order` takes it and as each element of a batch. */
export const orderSchema = {
  type: "object",
  required: ["user_id", "item", "quantity"],
  properties: {
    user_id: {
      type: "string",
      minLength: 1,
      maxLength: ORDER_LIMITS.maxUserIdLength,
      pattern: "\\S",
    },
    item: { type: "string", minLength: 1, maxLength: ORDER_LIMITS.maxItemLength, pattern: "\\S" },
    quantity: {
      type: "integer",
      minimum: ORDER_LIMITS.minQuantity,
      maximum: ORDER_LIMITS.maxQuantity,
    },
  },
} as const;

/** `POST /orders/batch`: `{"orders": [...]}` with 1 to 1000 orders. */
export const batchSchema = {
  type: "object",
  required: ["orders"],
  properties: {
    orders: {
      type: "array",
      minItems: 1,
      maxItems: ORDER_LIMITS.maxBatchOrders,
      items: orderSchema,
    },
  },
} as const;

export const acceptedOrderSchema = {
  type: "object",
  properties: {
    order_id: { type: "string" },
    status: { type: "string" },
    timestamp: { type: "string" },
  },
} as const;

export const acceptedBatchSchema = {
  type: "object",
  properties: {
    order_ids: { type: "array", items: { type: "string" } },
    count: { type: "integer" },
    status: { type: "string" },
    timestamp: { type: "string" },
  },
} as const;

export const errorSchema = {
  type: "object",
  properties: { error: { type: "string" }, field: { type: "string" } },
} as const;
