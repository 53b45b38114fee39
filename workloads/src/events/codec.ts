import { ORDER_LIMITS } from "./limits.js";
import type { InventoryResult, OrderPlaced, PipelineEvent } from "./types.js";

/** A decoded event with its timestamp in epoch milliseconds, or why the bytes are not one. */
export type Decoded<T> = { ok: true; event: T; time: number } | { ok: false; reason: string };

type Fields = Record<string, unknown>;

/** Encodes an event the way every role writes it to Kafka. */
export function encodeEvent(event: PipelineEvent): string {
  return JSON.stringify(event);
}

/** Decodes an `order-events` message value. */
export function decodeOrderPlaced(value: Buffer | null): Decoded<OrderPlaced> {
  const json = parseJson(value);
  if (typeof json === "string") return fail(json);
  if (json.event_type !== "OrderPlaced") return fail(describeType(json.event_type, "OrderPlaced"));
  return checkOrderPlaced(json);
}

/** Decodes an `inventory-events` message value. */
export function decodeInventoryResult(value: Buffer | null): Decoded<InventoryResult> {
  const json = parseJson(value);
  if (typeof json === "string") return fail(json);
  return checkInventoryResult(json);
}

/** Decodes a message of either topic, by its `event_type`. */
export function decodePipelineEvent(value: Buffer | null): Decoded<PipelineEvent> {
  const json = parseJson(value);
  if (typeof json === "string") return fail(json);
  switch (json.event_type) {
    case "OrderPlaced":
      return checkOrderPlaced(json);
    case "InventoryReserved":
    case "InventoryFailed":
      return checkInventoryResult(json);
    default:
      return fail(
        describeType(json.event_type, "OrderPlaced, InventoryReserved or InventoryFailed"),
      );
  }
}

function parseJson(value: Buffer | null): Fields | string {
  if (value === null || value.length === 0) return "message has no value";
  let json: unknown;
  try {
    json = JSON.parse(value.toString("utf8"));
  } catch (err) {
    return `value is not valid JSON: ${(err as Error).message}`;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return "value is not a JSON object";
  }
  return json as Fields;
}

function checkEnvelope(json: Fields): string | number {
  if (!isNonEmptyString(json.event_id)) return "event_id must be a non-empty string";
  if (!isNonEmptyString(json.order_id)) return "order_id must be a non-empty string";
  if (typeof json.timestamp !== "string") return "timestamp must be an ISO 8601 string";
  const time = Date.parse(json.timestamp);
  if (!Number.isFinite(time)) return "timestamp must be an ISO 8601 string";
  return time;
}

function checkOrderPlaced(json: Fields): Decoded<OrderPlaced> {
  const time = checkEnvelope(json);
  if (typeof time === "string") return fail(time);
  const payload = json.payload;
  if (typeof payload !== "object" || payload === null) return fail("payload must be an object");
  const { user_id, item, quantity } = payload as Fields;
  if (!isNonEmptyString(user_id)) return fail("payload.user_id must be a non-empty string");
  if (!isNonEmptyString(item)) return fail("payload.item must be a non-empty string");
  if (
    typeof quantity !== "number" ||
    !Number.isInteger(quantity) ||
    quantity < ORDER_LIMITS.minQuantity ||
    quantity > ORDER_LIMITS.maxQuantity
  ) {
    return fail(
      `payload.quantity must be an integer between ${ORDER_LIMITS.minQuantity} and ${ORDER_LIMITS.maxQuantity}`,
    );
  }
  return { ok: true, event: json as unknown as OrderPlaced, time };
}

function checkInventoryResult(json: Fields): Decoded<InventoryResult> {
  const expectedSuccess =
    json.event_type === "InventoryReserved"
      ? true
      : json.event_type === "InventoryFailed"
        ? false
        : undefined;
  if (expectedSuccess === undefined) {
    return fail(describeType(json.event_type, "InventoryReserved or InventoryFailed"));
  }
  const time = checkEnvelope(json);
  if (typeof time === "string") return fail(time);
  if (json.success !== expectedSuccess) {
    return fail(`success must be ${expectedSuccess} for ${json.event_type}`);
  }
  return { ok: true, event: json as unknown as InventoryResult, time };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function describeType(got: unknown, want: string): string {
  return `event_type must be ${want}, got ${JSON.stringify(got) ?? "nothing"}`;
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
