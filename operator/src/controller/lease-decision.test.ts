import { describe, expect, it } from "vitest";
import { type LeaseRecord, leaseAction, observe } from "./lease-decision.js";

function record(holderIdentity: string, renewTime = "t1"): LeaseRecord {
  return { holderIdentity, leaseDurationSeconds: 15, renewTime };
}

describe("leaseAction", () => {
  it.each([
    { case: "no Lease yet", observed: undefined, now: 0, want: "create" },
    {
      case: "we hold it",
      observed: { record: record("me"), observedAtMs: 0 },
      now: 60_000,
      want: "renew",
    },
    {
      case: "it was released",
      observed: { record: record(""), observedAtMs: 0 },
      now: 1,
      want: "acquire",
    },
    {
      case: "another holder renewed within the lease duration",
      observed: { record: record("other"), observedAtMs: 10_000 },
      now: 25_000,
      want: "follow",
    },
    {
      case: "another holder has not renewed for longer than the lease duration",
      observed: { record: record("other"), observedAtMs: 10_000 },
      now: 25_001,
      want: "acquire",
    },
  ])("$case: $want", ({ observed, now, want }) => {
    expect(leaseAction(observed, "me", now)).toBe(want);
  });
});

describe("observe", () => {
  it("keeps the first time a record was seen while it does not change", () => {
    const first = observe(undefined, record("other", "t1"), 1000);
    const again = observe(first, record("other", "t1"), 9000);
    expect(again.observedAtMs).toBe(1000);
  });

  it("restarts the clock when the holder renews", () => {
    const first = observe(undefined, record("other", "t1"), 1000);
    const renewed = observe(first, record("other", "t2"), 9000);
    expect(renewed.observedAtMs).toBe(9000);
  });

  it("a frozen holder loses the lease a full duration after we last saw it renew", () => {
    let seen = observe(undefined, record("other", "t1"), 0);
    for (const now of [5000, 10_000, 15_000]) {
      seen = observe(seen, record("other", "t1"), now);
      expect(leaseAction(seen, "me", now)).toBe("follow");
    }
    expect(leaseAction(observe(seen, record("other", "t1"), 15_001), "me", 15_001)).toBe("acquire");
  });
});
