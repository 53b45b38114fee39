import { describe, expect, it } from "vitest";
import type { Condition } from "../api/types.js";
import { setCondition, setConditions, transitions } from "./conditions.js";

const t0 = "2026-01-01T00:00:00Z";
const t1 = "2026-01-01T00:05:00Z";

function condition(partial: Partial<Condition> & { type: string }): Condition {
  return {
    status: "True",
    reason: "Reconciled",
    message: "ok",
    lastTransitionTime: t0,
    observedGeneration: 1,
    ...partial,
  };
}

describe("setCondition", () => {
  it("adds a condition with lastTransitionTime now", () => {
    const got = setCondition(
      undefined,
      { type: "Ready", status: "True", reason: "R", message: "m" },
      t1,
    );
    expect(got).toEqual([
      { type: "Ready", status: "True", reason: "R", message: "m", lastTransitionTime: t1 },
    ]);
  });

  it("keeps lastTransitionTime when only the reason, message or generation change", () => {
    const got = setCondition(
      [condition({ type: "Ready" })],
      { type: "Ready", status: "True", reason: "Other", message: "new", observedGeneration: 2 },
      t1,
    );
    expect(got[0]).toEqual({
      type: "Ready",
      status: "True",
      reason: "Other",
      message: "new",
      observedGeneration: 2,
      lastTransitionTime: t0,
    });
  });

  it("moves lastTransitionTime when the status changes", () => {
    const got = setCondition(
      [condition({ type: "Ready" })],
      { type: "Ready", status: "False", reason: "KafkaUnreachable", message: "down" },
      t1,
    );
    expect(got[0]?.lastTransitionTime).toBe(t1);
  });

  it("leaves other condition types and their order alone", () => {
    const others = [condition({ type: "Scaling" }), condition({ type: "Ready" })];
    const got = setCondition(
      others,
      { type: "Ready", status: "False", reason: "R", message: "m" },
      t1,
    );
    expect(got.map((c) => c.type)).toEqual(["Scaling", "Ready"]);
    expect(got[0]).toBe(others[0]);
  });
});

describe("transitions", () => {
  it("lists the conditions whose status changed or that are new", () => {
    const before = [
      condition({ type: "Ready", status: "False" }),
      condition({ type: "TopicsReady" }),
    ];
    const after = setConditions(
      before,
      [
        { type: "Ready", status: "True", reason: "R", message: "m" },
        { type: "TopicsReady", status: "True", reason: "R2", message: "m2" },
        { type: "KafkaReachable", status: "True", reason: "R", message: "m" },
      ],
      t1,
    );
    expect(transitions(before, after).map((c) => c.type)).toEqual(["Ready", "KafkaReachable"]);
  });
});
