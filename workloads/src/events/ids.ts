import { createHash } from "node:crypto";

// The namespace of every name-based id this project derives (a fixed, random UUID).
const NAMESPACE = Buffer.from("6f1c2a4e9b7d4c53a0e8d2f15b3c7e91", "hex");

/**
 * A UUID version 5 (RFC 9562: SHA-1 over a namespace and a name). The same name always gives the
 * same id, so an event derived from another keeps its id across a replay.
 */
export function uuidV5(name: string): string {
  const hash = createHash("sha1").update(NAMESPACE).update(name).digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.toString("hex", 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The event id of the inventory result for the order event `orderEventId`. */
export function inventoryResultId(orderEventId: string): string {
  return uuidV5(`inventory-result/${orderEventId}`);
}
