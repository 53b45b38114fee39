import { describe, expect, it } from "vitest";
import { pipeline } from "../testing/pipeline-factory.js";
import { keyOf, ownerKey, parseKey, pipelineSignature } from "./event-filter.js";

describe("pipelineSignature", () => {
  const base = pipeline();

  it("ignores status-only updates", () => {
    const written = {
      ...base,
      metadata: { ...base.metadata, resourceVersion: "200" },
      status: { totalLag: 5 },
    };
    expect(pipelineSignature(written)).toBe(pipelineSignature(base));
  });

  it.each([
    { case: "a spec change (generation)", meta: { generation: 2 } },
    { case: "deletion", meta: { deletionTimestamp: "2026-01-01T00:00:00Z" } },
    { case: "a finalizer change", meta: { finalizers: ["x"] } },
    {
      case: "an annotation (replay request)",
      meta: { annotations: { "streaming-orders.io/replay": "inventory:earliest" } },
    },
  ])("changes with $case", ({ meta }) => {
    const changed = { ...base, metadata: { ...base.metadata, ...meta } };
    expect(pipelineSignature(changed)).not.toBe(pipelineSignature(base));
  });
});

describe("ownerKey", () => {
  it("finds the controlling pipeline of an owned Deployment", () => {
    expect(
      ownerKey({
        metadata: {
          namespace: "shop",
          ownerReferences: [
            {
              apiVersion: "streaming-orders.io/v1alpha1",
              kind: "StreamingPipeline",
              name: "orders",
              uid: "u",
              controller: true,
            },
          ],
        },
      }),
    ).toBe("shop/orders");
  });

  it("ignores objects another kind controls", () => {
    expect(
      ownerKey({
        metadata: {
          namespace: "shop",
          ownerReferences: [
            { apiVersion: "apps/v1", kind: "Deployment", name: "d", uid: "u", controller: true },
          ],
        },
      }),
    ).toBeUndefined();
  });
});

describe("keys", () => {
  it("round-trips namespace/name", () => {
    expect(parseKey(keyOf({ metadata: { namespace: "shop", name: "orders" } }))).toEqual({
      namespace: "shop",
      name: "orders",
    });
  });
});
