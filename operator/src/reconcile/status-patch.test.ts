import { describe, expect, it } from "vitest";
import type { StreamingPipelineStatus } from "../api/types.js";
import { statusPatch } from "./status-patch.js";

const base: StreamingPipelineStatus = {
  observedGeneration: 2,
  totalLag: 15,
  summary: { topics: "a:3", replicas: "producer 1/1" },
};

describe("statusPatch", () => {
  it("is undefined when nothing changed, whatever the key order", () => {
    expect(
      statusPatch(base, {
        summary: { replicas: "producer 1/1", topics: "a:3" },
        totalLag: 15,
        observedGeneration: 2,
      }),
    ).toBeUndefined();
  });

  it("sends only the changed fields", () => {
    expect(statusPatch(base, { ...base, observedGeneration: 3 })).toEqual({
      observedGeneration: 3,
    });
  });

  it("deletes a field that is no longer known with null", () => {
    const { totalLag: _gone, ...rest } = base;
    expect(statusPatch(base, rest)).toEqual({ totalLag: null });
  });

  it("leaves fields it does not own (another module's) alone", () => {
    const previous = {
      ...base,
      replay: { phase: "Completed" },
    } as unknown as StreamingPipelineStatus;
    expect(statusPatch(previous, base)).toBeUndefined();
  });

  it("writes everything the first time", () => {
    expect(statusPatch(undefined, base)).toEqual(base);
  });
});
