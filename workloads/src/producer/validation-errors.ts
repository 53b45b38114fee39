import { ORDER_LIMITS } from "../events/limits.js";

/** The parts of an Ajv error this mapping reads. */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** What the client is told: status, a message, and the field at fault when there is one. */
export interface RequestProblem {
  status: 400 | 413;
  error: string;
  field?: string;
}

const FIELD_RULES: Record<string, string> = {
  user_id: `user_id must be a non-blank string of at most ${ORDER_LIMITS.maxUserIdLength} characters`,
  item: `item must be a non-blank string of at most ${ORDER_LIMITS.maxItemLength} characters`,
  quantity: `quantity must be an integer between ${ORDER_LIMITS.minQuantity} and ${ORDER_LIMITS.maxQuantity}`,
};

/**
 * Turns the first schema violation of a request body into a message naming the field, e.g.
 * `{status: 400, error: "quantity must be an integer between 1 and 100", field: "orders[3].quantity"}`.
 * A batch over the size limit is 413.
 */
export function describeSchemaError(error: SchemaError, body: unknown): RequestProblem {
  const segments = error.instancePath.split("/").slice(1).map(unescapePointer);
  if (error.keyword === "required" && typeof error.params.missingProperty === "string") {
    const missing = error.params.missingProperty;
    const field = fieldPath([...segments, missing]);
    return { status: 400, error: `${missing} is required`, field };
  }
  const field = fieldPath(segments);
  const name = [...segments].reverse().find((s) => !/^\d+$/.test(s));
  const last = segments.at(-1);

  if (name === "orders" && last === "orders") {
    if (error.keyword === "maxItems") {
      const count = Array.isArray((body as { orders?: unknown })?.orders)
        ? (body as { orders: unknown[] }).orders.length
        : undefined;
      return {
        status: 413,
        error: `a batch holds at most ${ORDER_LIMITS.maxBatchOrders} orders${count ? `, got ${count}` : ""}`,
        field,
      };
    }
    if (error.keyword === "minItems") {
      return { status: 400, error: "orders must contain at least one order", field };
    }
    return { status: 400, error: "orders must be an array of orders", field };
  }
  if (last !== undefined && /^\d+$/.test(last)) {
    return { status: 400, error: "each order must be a JSON object", field };
  }
  if (name !== undefined && FIELD_RULES[name] !== undefined) {
    return { status: 400, error: FIELD_RULES[name], field };
  }
  if (segments.length === 0) return { status: 400, error: "the body must be a JSON object" };
  return { status: 400, error: `${field} is invalid`, field };
}

/** `["orders", "3", "quantity"]` becomes `orders[3].quantity`. */
export function fieldPath(segments: readonly string[]): string {
  let path = "";
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else path += path ? `.${segment}` : segment;
  }
  return path;
}

function unescapePointer(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}
