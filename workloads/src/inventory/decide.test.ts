import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { anOrder } from "../../test/factories.js";
import { fnv1a32, inventoryResultFor, reservesStock } from "./decide.js";

describe("the reservation rule", () => {
  it("reserves about 90% of 10,000 random orders", () => {
    let reserved = 0;
    for (let i = 0; i < 10_000; i++)
      if (reservesStock(anOrder({ order_id: randomUUID() }))) reserved++;
    expect(reserved / 10_000).toBeGreaterThan(0.88);
    expect(reserved / 10_000).toBeLessThan(0.92);
  });

  it("decides by the order id alone, so a replay reaches the same outcome", () => {
    const order = anOrder();
    const again = anOrder({ order_id: order.order_id, event_id: randomUUID() });
    expect(reservesStock(again)).toBe(reservesStock(order));
  });

  it("hashes with 32-bit FNV-1a", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });
});

describe("inventoryResultFor", () => {
  it("builds the identical result event from the same order event", () => {
    const order = anOrder({ timestamp: "2026-02-03T04:05:06.789Z" });
    const result = inventoryResultFor(order);
    expect(inventoryResultFor(order)).toEqual(result);
    expect(result).toMatchObject({
      order_id: order.order_id,
      timestamp: "2026-02-03T04:05:06.789Z",
      event_type: result.success ? "InventoryReserved" : "InventoryFailed",
    });
    expect(result.event_id).not.toBe(order.event_id);
  });
});
