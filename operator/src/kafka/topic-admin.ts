import kafkajs, { type Admin } from "kafkajs";

// Node's ESM loader sees only some of kafkajs's CommonJS exports as named ones; these two it
// does not, so they come off the default export.
const { ConfigResourceTypes, ConfigSource } = kafkajs;

import type { TopicSpec } from "../api/types.js";
import { type ObservedTopic, type TopicPlan, trimmed } from "../reconcile/desired-topics.js";

/** One change the operator made to Kafka, for an Event. */
export interface TopicAction {
  reason: "TopicCreated" | "PartitionsIncreased" | "TopicConfigCorrected";
  message: string;
}

export interface TopicPlanResult {
  actions: TopicAction[];
  /** One line per failed step, naming the topic and Kafka's error. */
  errors: string[];
}

/** The named topics as Kafka has them; names Kafka does not have are absent from the map. */
export async function observeTopics(
  admin: Admin,
  names: readonly string[],
): Promise<Map<string, ObservedTopic>> {
  const existing = new Set(await admin.listTopics());
  const present = names.filter((n) => existing.has(n));
  const observed = new Map<string, ObservedTopic>();
  if (present.length === 0) return observed;
  const [metadata, configs] = await Promise.all([
    admin.fetchTopicMetadata({ topics: present }),
    admin.describeConfigs({
      includeSynonyms: false,
      resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    }),
  ]);
  const overrides = new Map<string, Record<string, string>>();
  for (const resource of configs.resources) {
    overrides.set(
      resource.resourceName,
      Object.fromEntries(
        resource.configEntries
          .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG)
          .map((e) => [e.configName, e.configValue]),
      ),
    );
  }
  for (const topic of metadata.topics) {
    observed.set(topic.name, {
      name: topic.name,
      partitions: topic.partitions.length,
      replicationFactor: Math.max(0, ...topic.partitions.map((p) => p.replicas.length)),
      overrides: overrides.get(topic.name) ?? {},
    });
  }
  return observed;
}

/**
 * Carries out the creating, growing and config-correcting steps of a plan. Missing topics go to
 * Kafka in one request (creating a topic is mostly waiting for its leaders, so one wait serves
 * them all); if that request fails, each topic is tried alone so one topic's failure neither hides
 * nor blocks the others. The other steps run concurrently. Actions and errors are reported in the
 * plan's order; refusals in the plan are not acted on.
 */
export async function applyTopicPlan(
  admin: Admin,
  plan: TopicPlan,
  cluster: { brokers: number },
): Promise<TopicPlanResult> {
  const steps: Array<Promise<{ action: TopicAction } | { error: string }>> = [];
  const step = (what: string, fn: () => Promise<TopicAction>) => {
    steps.push(
      fn().then(
        (action) => ({ action }),
        (err: unknown) => ({ error: `${what}: ${kafkaMessage(err)}` }),
      ),
    );
  };
  const creatable = plan.create.filter((t) => t.replicationFactor <= cluster.brokers);
  // Resolves once the batch is done; true when every creatable topic was created by it.
  const batch =
    creatable.length > 1
      ? admin.createTopics({ topics: creatable.map(topicConfig), waitForLeaders: true }).then(
          () => true,
          () => false,
        )
      : Promise.resolve(false);
  for (const topic of plan.create) {
    step(`creating topic ${topic.name}`, async () => {
      if (topic.replicationFactor > cluster.brokers) {
        throw new Error(
          `replication factor ${topic.replicationFactor} needs at least ${topic.replicationFactor} brokers, Kafka has ${cluster.brokers}`,
        );
      }
      // Alone: a topic the failed batch did create answers "already exists", which is fine.
      if (!(await batch)) {
        await admin.createTopics({ topics: [topicConfig(topic)], waitForLeaders: true });
      }
      return {
        reason: "TopicCreated",
        message: `created topic ${topic.name} with ${topic.partitions} partitions and replication factor ${topic.replicationFactor}`,
      };
    });
  }
  for (const grow of plan.grow) {
    step(`adding partitions to topic ${grow.name}`, async () => {
      await admin.createPartitions({ topicPartitions: [{ topic: grow.name, count: grow.to }] });
      return {
        reason: "PartitionsIncreased",
        message: `topic ${grow.name}: partitions ${grow.from} -> ${grow.to}`,
      };
    });
  }
  for (const fix of plan.correctConfig) {
    step(`setting config of topic ${fix.name}`, async () => {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: fix.name,
            configEntries: Object.entries(fix.overrides).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      return {
        reason: "TopicConfigCorrected",
        message: `topic ${fix.name}: set ${fix.changed.map((k) => `${k}=${fix.overrides[k]}`).join(", ")}`,
      };
    });
  }
  const result: TopicPlanResult = { actions: [], errors: [] };
  for (const outcome of await Promise.all(steps)) {
    if ("action" in outcome) result.actions.push(outcome.action);
    else result.errors.push(outcome.error);
  }
  return result;
}

/** Deletes those of the named topics Kafka has; returns the ones deleted. */
export async function deleteTopics(admin: Admin, names: readonly string[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const present = names.filter((n) => existing.has(n));
  if (present.length > 0) await admin.deleteTopics({ topics: present });
  return present;
}

function topicConfig(topic: TopicSpec) {
  return {
    topic: topic.name,
    numPartitions: topic.partitions,
    replicationFactor: topic.replicationFactor,
    configEntries: Object.entries(trimmed(topic.config)).map(([name, value]) => ({ name, value })),
  };
}

/**
 * kafkajs wraps broker errors (and aggregates per-topic ones); the innermost messages are the ones
 * that name the problem.
 */
export function kafkaMessage(err: unknown): string {
  const e = err as { message?: string; originalError?: unknown; cause?: unknown; errors?: unknown };
  if (Array.isArray(e?.errors) && e.errors.length > 0) {
    return e.errors.map((inner: unknown) => kafkaMessage(inner)).join("; ");
  }
  const inner = e?.originalError ?? e?.cause;
  if (inner && typeof (inner as { message?: unknown }).message === "string") {
    return kafkaMessage(inner);
  }
  return e?.message ?? String(err);
}
