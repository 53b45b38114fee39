import { describe, expect, it } from "vitest";
import { inventoryResultId, uuidV5 } from "./ids.js";

describe("uuidV5", () => {
  it("matches RFC 9562 version 5 ids (checked against Python's uuid.uuid5)", () => {
    // uuid.uuid5(UUID("6f1c2a4e-9b7d-4c53-a0e8-d2f15b3c7e91"), "inventory-result/abc")
    expect(uuidV5("inventory-result/abc")).toBe("47641d1d-bd71-5084-80b0-906c4fb41117");
  });

  it("derives the same result id from the same order event, and different ids otherwise", () => {
    expect(inventoryResultId("e-1")).toBe(inventoryResultId("e-1"));
    expect(inventoryResultId("e-1")).not.toBe(inventoryResultId("e-2"));
    expect(inventoryResultId("e-1")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
