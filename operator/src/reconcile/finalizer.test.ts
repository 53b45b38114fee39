import { describe, expect, it } from "vitest";
import { TOPICS_FINALIZER } from "../api/constants.js";
import { pipeline } from "../testing/pipeline-factory.js";
import { finalizerChange, topicsToDelete, withFinalizer, withoutFinalizer } from "./finalizer.js";

describe("finalizerChange", () => {
  it.each([
    { policy: "Delete", finalizers: [], want: "add" },
    { policy: "Delete", finalizers: [TOPICS_FINALIZER], want: "none" },
    { policy: "Retain", finalizers: [TOPICS_FINALIZER], want: "remove" },
    { policy: "Retain", finalizers: [], want: "none" },
  ] as const)(
    "policy $policy with finalizers $finalizers: $want",
    ({ policy, finalizers, want }) => {
      const p = pipeline({ topicDeletionPolicy: policy }, { finalizers: [...finalizers] });
      expect(finalizerChange(p)).toBe(want);
    },
  );

  it("keeps other controllers' finalizers", () => {
    const p = pipeline({}, { finalizers: ["example.com/other", TOPICS_FINALIZER] });
    expect(withoutFinalizer(p)).toEqual(["example.com/other"]);
    expect(withFinalizer(p)).toEqual(["example.com/other", TOPICS_FINALIZER]);
  });
});

describe("topicsToDelete", () => {
  const deleting = pipeline({ topicDeletionPolicy: "Delete" }, { uid: "a" });

  it("deletes every topic no other pipeline declares, the dead-letter topic too", () => {
    expect(topicsToDelete(deleting, [deleting])).toEqual({
      delete: ["order-events", "inventory-events", "order-events.dlq"],
      keep: [],
    });
  });

  it("keeps a topic another pipeline on the same Kafka declares", () => {
    const other = pipeline(
      { topics: [{ name: "order-events", partitions: 3, replicationFactor: 1 }] },
      { uid: "b", name: "audit", namespace: "ops" },
    );
    expect(topicsToDelete(deleting, [other])).toEqual({
      delete: ["inventory-events"],
      keep: [
        { topic: "order-events", by: "ops/audit" },
        { topic: "order-events.dlq", by: "ops/audit" },
      ],
    });
  });

  it("ignores pipelines on another Kafka and pipelines being deleted too", () => {
    const elsewhere = pipeline({ kafka: { bootstrapServers: "other:9092" } }, { uid: "b" });
    const alsoGoing = pipeline({}, { uid: "c", deletionTimestamp: "2026-01-01T00:00:00Z" });
    expect(topicsToDelete(deleting, [elsewhere, alsoGoing]).keep).toEqual([]);
  });
});
