import { describe, expect, it } from "vitest";
import { describeSchemaError, fieldPath } from "./validation-errors.js";

describe("fieldPath", () => {
  it.each([
    [["orders", "3", "quantity"], "orders[3].quantity"],
    [["quantity"], "quantity"],
    [["orders", "0"], "orders[0]"],
    [[], ""],
  ])("writes %j as %s", (segments, path) => {
    expect(fieldPath(segments)).toBe(path);
  });
});

describe("describeSchemaError", () => {
  it("names the missing field inside a batch element", () => {
    expect(
      describeSchemaError(
        { instancePath: "/orders/7", keyword: "required", params: { missingProperty: "user_id" } },
        {},
      ),
    ).toEqual({ status: 400, error: "user_id is required", field: "orders[7].user_id" });
  });

  it("reports an oversized batch as 413 with its size", () => {
    expect(
      describeSchemaError(
        { instancePath: "/orders", keyword: "maxItems", params: { limit: 1000 } },
        { orders: new Array(1500) },
      ),
    ).toEqual({
      status: 413,
      error: "a batch holds at most 1000 orders, got 1500",
      field: "orders",
    });
  });

  it("falls back to naming the field for anything unforeseen", () => {
    expect(
      describeSchemaError({ instancePath: "/extra", keyword: "type", params: {} }, {}),
    ).toEqual({
      status: 400,
      error: "extra is invalid",
      field: "extra",
    });
  });
});
