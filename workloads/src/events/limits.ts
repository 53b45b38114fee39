/** Limits an order must satisfy; the HTTP schemas and the consumers' parsers share them. */
export const ORDER_LIMITS = {
  minQuantity: 1,
  maxQuantity: 100,
  maxItemLength: 200,
  maxUserIdLength: 100,
  maxBatchOrders: 1000,
} as const;
