/** Default names of the pipeline's topics and consumer groups; every one is overridable by env. */
export const DEFAULT_TOPICS = {
  orders: "order-events",
  inventory: "inventory-events",
  deadLetter: "order-events.dlq",
} as const;

export const DEFAULT_GROUPS = {
  inventory: "inventory-group",
  analytics: "analytics-group",
} as const;
