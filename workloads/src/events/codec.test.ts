import { describe, expect, it } from "vitest";
import { anOrder, aResult, bytes } from "../../test/factories.js";
import {
  decodeInventoryResult,
  decodeOrderPlaced,
  decodePipelineEvent,
  encodeEvent,
} from "./codec.js";

describe("decodeOrderPlaced", () => {
  it("round-trips an encoded event and returns its time in epoch milliseconds", () => {
    const order = anOrder({ timestamp: "2026-03-01T12:00:00.250Z" });
    const decoded = decodeOrderPlaced(Buffer.from(encodeEvent(order)));
    expect(decoded).toEqual({
      ok: true,
      event: order,
      time: Date.parse("2026-03-01T12:00:00.250Z"),
    });
  });

  it.each([
    ["an empty value", null, "message has no value"],
    ["bytes that are not JSON", bytes("{not json"), "value is not valid JSON"],
    ["a JSON array", bytes([1, 2]), "value is not a JSON object"],
    [
      "another event type",
      bytes({ ...anOrder(), event_type: "OrderShipped" }),
      "event_type must be OrderPlaced",
    ],
    [
      "a missing event_id",
      bytes({ ...anOrder(), event_id: undefined }),
      "event_id must be a non-empty string",
    ],
    [
      "an empty order_id",
      bytes({ ...anOrder(), order_id: "" }),
      "order_id must be a non-empty string",
    ],
    [
      "an unparseable timestamp",
      bytes({ ...anOrder(), timestamp: "yesterday" }),
      "timestamp must be an ISO 8601",
    ],
    ["no payload", bytes({ ...anOrder(), payload: null }), "payload must be an object"],
    [
      "a quantity out of range",
      bytes({ ...anOrder(), payload: { user_id: "u", item: "i", quantity: 101 } }),
      "payload.quantity must be an integer between 1 and 100",
    ],
    [
      "an empty item",
      bytes({ ...anOrder(), payload: { user_id: "u", item: "", quantity: 1 } }),
      "payload.item must be a non-empty string",
    ],
  ])("rejects %s with the reason", (_name, value, reason) => {
    const decoded = decodeOrderPlaced(value);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? "" : decoded.reason).toContain(reason);
  });
});

describe("decodeInventoryResult and decodePipelineEvent", () => {
  it("accepts reserved and failed results and routes both topics' events by type", () => {
    const order = anOrder();
    for (const result of [aResult(order, true), aResult(order, false)]) {
      expect(decodeInventoryResult(bytes(result))).toMatchObject({ ok: true, event: result });
      expect(decodePipelineEvent(bytes(result))).toMatchObject({ ok: true, event: result });
    }
    expect(decodePipelineEvent(bytes(order))).toMatchObject({ ok: true, event: order });
  });

  it("rejects a result whose success flag contradicts its type", () => {
    const result = { ...aResult(anOrder(), true), success: false };
    expect(decodeInventoryResult(bytes(result))).toEqual({
      ok: false,
      reason: "success must be true for InventoryReserved",
    });
  });
});
