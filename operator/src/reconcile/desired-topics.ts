import type { StreamingPipelineSpec, TopicSpec } from "../api/types.js";
import { deadLetterTopic } from "./names.js";

/** A topic as Kafka reports it. */
export interface ObservedTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Topic-level overrides (config source TOPIC_CONFIG); broker defaults are not listed. */
  overrides: Record<string, string>;
}

export interface PartitionGrowth {
  name: string;
  from: number;
  to: number;
}

export interface ConfigCorrection {
  name: string;
  /** Declared keys whose value differs from Kafka's (or that Kafka lacks). */
  changed: string[];
  /**
   * The complete override set to send. Kafka's AlterConfigs (the API kafkajs speaks) replaces all
   * of a topic's overrides, so overrides the spec does not mention are carried over unchanged.
   */
  overrides: Record<string, string>;
}

export interface Mismatch {
  name: string;
  have: number;
  want: number;
}

export interface TopicPlan {
  create: TopicSpec[];
  grow: PartitionGrowth[];
  correctConfig: ConfigCorrection[];
  /** Kafka cannot remove partitions: reported, never acted on. */
  refusedShrink: Mismatch[];
  /** Changing replication needs a partition reassignment, which the operator does not do. */
  replicationMismatch: Mismatch[];
}

/**
 * The topics a pipeline needs: the declared ones, plus a dead-letter topic for each inventory
 * consumer that does not declare its own (one partition: dead letters are rare and unordered;
 * replication and config as the topic they come from).
 */
export function pipelineTopics(
  spec: Pick<StreamingPipelineSpec, "topics" | "consumers">,
): TopicSpec[] {
  const topics = [...spec.topics];
  for (const consumer of spec.consumers) {
    const name = deadLetterTopic(consumer);
    const source = spec.topics.find((t) => t.name === consumer.topics[0]);
    if (!name || !source || topics.some((t) => t.name === name)) continue;
    topics.push({ ...source, name, partitions: 1 });
  }
  return topics;
}

/**
 * What to do so Kafka's topics match the spec: create the missing ones, grow partitions, correct
 * drifted config, and refuse (report) what Kafka cannot do. Topics Kafka has but the spec does not
 * name are left alone.
 */
export function planTopics(
  desired: readonly TopicSpec[],
  observed: ReadonlyMap<string, ObservedTopic>,
): TopicPlan {
  const plan: TopicPlan = {
    create: [],
    grow: [],
    correctConfig: [],
    refusedShrink: [],
    replicationMismatch: [],
  };
  for (const topic of desired) {
    const have = observed.get(topic.name);
    if (!have) {
      plan.create.push(topic);
      continue;
    }
    if (topic.partitions > have.partitions) {
      plan.grow.push({ name: topic.name, from: have.partitions, to: topic.partitions });
    } else if (topic.partitions < have.partitions) {
      plan.refusedShrink.push({ name: topic.name, have: have.partitions, want: topic.partitions });
    }
    if (topic.replicationFactor !== have.replicationFactor) {
      plan.replicationMismatch.push({
        name: topic.name,
        have: have.replicationFactor,
        want: topic.replicationFactor,
      });
    }
    const correction = configCorrection(topic, have);
    if (correction) plan.correctConfig.push(correction);
  }
  return plan;
}

function configCorrection(topic: TopicSpec, have: ObservedTopic): ConfigCorrection | undefined {
  const declared = topic.config ?? {};
  const changed = Object.keys(declared)
    .filter((key) => have.overrides[key]?.trim() !== declared[key]?.trim())
    .sort();
  if (changed.length === 0) return undefined;
  return { name: topic.name, changed, overrides: { ...have.overrides, ...trimmed(declared) } };
}

/** Config values as Kafka should receive them. */
export function trimmed(config: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.trim()]));
}

/** True when the plan has nothing to do and nothing to refuse. */
export function isSettled(plan: TopicPlan): boolean {
  return (
    plan.create.length === 0 &&
    plan.grow.length === 0 &&
    plan.correctConfig.length === 0 &&
    plan.refusedShrink.length === 0 &&
    plan.replicationMismatch.length === 0
  );
}
