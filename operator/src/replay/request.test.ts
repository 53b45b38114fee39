import { describe, expect, it } from "vitest";
import { pipeline } from "../testing/pipeline-factory.js";
import { acceptReplay, parseReplayAnnotation, type ReplayTarget } from "./request.js";

const HOUR = 3_600_000;

describe("parseReplayAnnotation", () => {
  it.each<[string, string, ReplayTarget]>([
    ["analytics:earliest", "analytics", { kind: "earliest" }],
    ["inventory:latest", "inventory", { kind: "latest" }],
    ["  analytics : earliest ", "analytics", { kind: "earliest" }],
    ["analytics:-1h", "analytics", { kind: "ago", ms: HOUR }],
    ["analytics:-30m", "analytics", { kind: "ago", ms: 30 * 60_000 }],
    ["analytics:-1h30m", "analytics", { kind: "ago", ms: 1.5 * HOUR }],
    ["analytics:-1.5h", "analytics", { kind: "ago", ms: 1.5 * HOUR }],
    ["analytics:-2d", "analytics", { kind: "ago", ms: 48 * HOUR }],
    ["analytics:-90s", "analytics", { kind: "ago", ms: 90_000 }],
    ["analytics:-1m500ms", "analytics", { kind: "ago", ms: 60_500 }],
    [
      "analytics:2026-01-02T15:04:05Z",
      "analytics",
      { kind: "time", at: Date.UTC(2026, 0, 2, 15, 4, 5) },
    ],
    [
      "analytics:2026-01-02t15:04:05.250z",
      "analytics",
      { kind: "time", at: Date.UTC(2026, 0, 2, 15, 4, 5, 250) },
    ],
    [
      "analytics:2026-01-02T16:04:05+01:00",
      "analytics",
      { kind: "time", at: Date.UTC(2026, 0, 2, 15, 4, 5) },
    ],
    [
      "analytics:2026-01-02T10:34:05-04:30",
      "analytics",
      { kind: "time", at: Date.UTC(2026, 0, 2, 15, 4, 5) },
    ],
    ["analytics:2024-02-29T00:00:00Z", "analytics", { kind: "time", at: Date.UTC(2024, 1, 29) }],
  ])("reads %s", (value, consumer, target) => {
    expect(parseReplayAnnotation(value)).toEqual({ ok: true, value: { consumer, target } });
  });

  it.each([
    ["analytics", '"analytics" is not <consumer>:<target>'],
    ["", '"" is not <consumer>:<target>'],
    [":earliest", "names no consumer before the colon"],
    ["analytics:", "has no target after the colon"],
    ["analytics:beginning", 'target "beginning" is not earliest, latest, an RFC 3339 time'],
    ["analytics:EARLIEST", 'target "EARLIEST" is not earliest, latest'],
    ["analytics:1h", 'duration "1h" must be negative (-1h): a replay goes back in time'],
    ["analytics:+30m", 'duration "+30m" must be negative (-30m)'],
    ["analytics:-0s", 'duration "-0s" goes back no time at all'],
    ["analytics:-1", 'target "-1" is not a duration'],
    ["analytics:-1w", 'target "-1w" is not a duration'],
    ["analytics:-1h foo", 'target "-1h foo" is not a duration'],
    ["analytics:2026-01-02", 'target "2026-01-02" is not an RFC 3339 time'],
    ["analytics:2026-01-02T15:04:05", 'target "2026-01-02T15:04:05" is not an RFC 3339 time'],
    ["analytics:2026-01-02 15:04:05Z", "is not an RFC 3339 time"],
    ["analytics:2026-02-30T00:00:00Z", 'target "2026-02-30T00:00:00Z" is not a valid time'],
    ["analytics:2025-02-29T00:00:00Z", "is not a valid time"],
    ["analytics:2026-13-01T00:00:00Z", "is not a valid time"],
    ["analytics:2026-01-01T24:00:00Z", "is not a valid time"],
    ["analytics:2026-01-01T00:60:00Z", "is not a valid time"],
    ["analytics:2026-01-01T00:00:00+25:00", "is not a valid time"],
  ])("refuses %j with a message that says why", (value, message) => {
    const got = parseReplayAnnotation(value);
    expect(got).toMatchObject({ ok: false, reason: "InvalidReplayRequest" });
    if (got.ok) return;
    expect(got.message).toContain(message);
    expect(got.message.startsWith("streaming-orders.io/replay: ")).toBe(true);
  });
});

describe("acceptReplay", () => {
  const now = Date.UTC(2026, 5, 1, 12, 0, 0);
  const accept = (consumer: string, target: ReplayTarget) =>
    acceptReplay(pipeline(), { consumer, target }, now);

  it.each<[string, ReplayTarget, string]>([
    ["earliest", { kind: "earliest" }, "earliest"],
    ["latest", { kind: "latest" }, "latest"],
    ["an hour back, fixed at acceptance", { kind: "ago", ms: HOUR }, "2026-06-01T11:00:00.000Z"],
    ["a past time, in UTC", { kind: "time", at: Date.UTC(2026, 4, 1) }, "2026-05-01T00:00:00.000Z"],
    ["the present moment", { kind: "time", at: now }, "2026-06-01T12:00:00.000Z"],
  ])("accepts %s", (_case, target, resolved) => {
    const got = accept("analytics", target);
    expect(got.ok && [got.value.consumer.name, got.value.target]).toEqual(["analytics", resolved]);
  });

  it("refuses a consumer the pipeline does not have, naming those it has", () => {
    expect(accept("billing", { kind: "earliest" })).toEqual({
      ok: false,
      reason: "UnknownConsumer",
      message:
        'streaming-orders.io/replay: pipeline orders has no consumer "billing" (its consumers: inventory, analytics)',
    });
  });

  it("refuses a time in the future", () => {
    expect(accept("analytics", { kind: "time", at: now + 1000 })).toEqual({
      ok: false,
      reason: "ReplayTargetInFuture",
      message:
        "streaming-orders.io/replay: 2026-06-01T12:00:01.000Z is in the future: there is nothing after it to replay (use latest to skip ahead)",
    });
  });
});
