import { describe, expect, it } from "vitest";
import type { TopicSpec } from "../api/types.js";
import { pipeline } from "../testing/pipeline-factory.js";
import { isSettled, type ObservedTopic, pipelineTopics, planTopics } from "./desired-topics.js";

const week = "604800000";

function topic(name: string, partitions = 3, config: Record<string, string> = {}): TopicSpec {
  return { name, partitions, replicationFactor: 1, config };
}

function observed(...topics: Array<Partial<ObservedTopic> & { name: string }>) {
  return new Map(
    topics.map((t) => [
      t.name,
      { partitions: 3, replicationFactor: 1, overrides: {}, ...t } satisfies ObservedTopic,
    ]),
  );
}

describe("planTopics", () => {
  it("creates every declared topic Kafka does not have", () => {
    const orders = topic("order-events", 3, { "retention.ms": week });
    const plan = planTopics([orders], observed());
    expect(plan.create).toEqual([orders]);
    expect(plan.grow).toEqual([]);
  });

  it("does nothing when Kafka matches the spec", () => {
    const plan = planTopics(
      [topic("order-events", 3, { "retention.ms": week })],
      observed({ name: "order-events", overrides: { "retention.ms": week } }),
    );
    expect(isSettled(plan)).toBe(true);
  });

  it("grows partitions from what Kafka has to what the spec asks", () => {
    const plan = planTopics([topic("order-events", 6)], observed({ name: "order-events" }));
    expect(plan.grow).toEqual([{ name: "order-events", from: 3, to: 6 }]);
  });

  it("refuses to shrink partitions and reports what Kafka has", () => {
    const plan = planTopics(
      [topic("order-events", 3)],
      observed({ name: "order-events", partitions: 6 }),
    );
    expect(plan.grow).toEqual([]);
    expect(plan.refusedShrink).toEqual([{ name: "order-events", have: 6, want: 3 }]);
    expect(isSettled(plan)).toBe(false);
  });

  it("reports a replication factor it cannot change", () => {
    const plan = planTopics(
      [{ ...topic("order-events"), replicationFactor: 3 }],
      observed({ name: "order-events" }),
    );
    expect(plan.replicationMismatch).toEqual([{ name: "order-events", have: 1, want: 3 }]);
  });

  it.each<{ case: string; have: Record<string, string>; changed: string[] }>([
    { case: "a changed value", have: { "retention.ms": "86400000" }, changed: ["retention.ms"] },
    { case: "a missing key", have: {}, changed: ["retention.ms"] },
  ])("corrects config drift: $case", ({ have, changed }) => {
    const plan = planTopics(
      [topic("order-events", 3, { "retention.ms": week })],
      observed({ name: "order-events", overrides: have }),
    );
    expect(plan.correctConfig).toEqual([
      { name: "order-events", changed, overrides: { "retention.ms": week } },
    ]);
  });

  it("keeps overrides the spec does not mention when correcting drift (AlterConfigs replaces all)", () => {
    const plan = planTopics(
      [topic("order-events", 3, { "retention.ms": week })],
      observed({
        name: "order-events",
        overrides: { "retention.ms": "1", "cleanup.policy": "compact" },
      }),
    );
    expect(plan.correctConfig[0]?.overrides).toEqual({
      "retention.ms": week,
      "cleanup.policy": "compact",
    });
  });

  it("ignores whitespace around config values", () => {
    const plan = planTopics(
      [topic("order-events", 3, { "retention.ms": ` ${week}` })],
      observed({ name: "order-events", overrides: { "retention.ms": week } }),
    );
    expect(plan.correctConfig).toEqual([]);
  });

  it("leaves topics the spec does not name alone", () => {
    const plan = planTopics([], observed({ name: "someone-elses" }));
    expect(isSettled(plan)).toBe(true);
  });
});

describe("pipelineTopics", () => {
  const spec = pipeline().spec;

  it("adds a one-partition dead-letter topic for the inventory consumer, configured as its input", () => {
    const orders = spec.topics.find((t) => t.name === "order-events");
    expect(pipelineTopics(spec).map((t) => t.name)).toEqual([
      "order-events",
      "inventory-events",
      "order-events.dlq",
    ]);
    expect(pipelineTopics(spec).at(-1)).toEqual({
      ...orders,
      name: "order-events.dlq",
      partitions: 1,
    });
  });

  it("keeps a dead-letter topic the pipeline declares itself", () => {
    const declared = { name: "order-events.dlq", partitions: 6, replicationFactor: 1 };
    const topics = pipelineTopics({ ...spec, topics: [...spec.topics, declared] });
    expect(topics.filter((t) => t.name === "order-events.dlq")).toEqual([declared]);
  });

  it("adds nothing for a pipeline without an inventory consumer", () => {
    const consumers = spec.consumers.filter((c) => c.role !== "inventory");
    expect(pipelineTopics({ ...spec, consumers })).toEqual(spec.topics);
  });
});
