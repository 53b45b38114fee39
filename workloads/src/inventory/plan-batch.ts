import { decodeOrderPlaced, encodeEvent } from "../events/codec.js";
import { inventoryResultFor } from "./decide.js";

/** A consumed `order-events` message, as much of it as the plan needs. */
export interface InboundMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
}

/** A message to produce. */
export interface OutboundMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
}

export interface BatchSource {
  topic: string;
  partition: number;
  groupId: string;
}

/** What one batch of order events turns into; produced in one transaction with the offsets. */
export interface BatchPlan {
  results: OutboundMessage[];
  deadLetters: OutboundMessage[];
  reserved: number;
  failed: number;
  duplicates: number;
  /** Order ids that got a result; remembered once the transaction commits. */
  decidedOrderIds: string[];
}

/** Headers on a dead-lettered message: why, and where the original is. */
export const DEAD_LETTER_HEADERS = {
  reason: "dlq-reason",
  topic: "dlq-original-topic",
  partition: "dlq-original-partition",
  offset: "dlq-original-offset",
  group: "dlq-consumer-group",
} as const;

/**
 * Decides a batch: one result per order not seen before (in `seen` or earlier in the batch),
 * duplicates dropped, and every message that is not a valid OrderPlaced routed to the dead-letter
 * topic with the reason. No I/O.
 */
export function planBatch(
  messages: readonly InboundMessage[],
  source: BatchSource,
  seen: { has(orderId: string): boolean },
): BatchPlan {
  const plan: BatchPlan = {
    results: [],
    deadLetters: [],
    reserved: 0,
    failed: 0,
    duplicates: 0,
    decidedOrderIds: [],
  };
  const inBatch = new Set<string>();
  for (const message of messages) {
    const decoded = decodeOrderPlaced(message.value);
    if (!decoded.ok) {
      plan.deadLetters.push({
        key: message.key,
        value: message.value,
        headers: {
          [DEAD_LETTER_HEADERS.reason]: decoded.reason,
          [DEAD_LETTER_HEADERS.topic]: source.topic,
          [DEAD_LETTER_HEADERS.partition]: String(source.partition),
          [DEAD_LETTER_HEADERS.offset]: message.offset,
          [DEAD_LETTER_HEADERS.group]: source.groupId,
        },
      });
      continue;
    }
    const order = decoded.event;
    if (inBatch.has(order.order_id) || seen.has(order.order_id)) {
      plan.duplicates++;
      continue;
    }
    inBatch.add(order.order_id);
    const result = inventoryResultFor(order);
    if (result.success) plan.reserved++;
    else plan.failed++;
    plan.decidedOrderIds.push(order.order_id);
    plan.results.push({ key: order.order_id, value: encodeEvent(result) });
  }
  return plan;
}
