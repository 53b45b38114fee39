import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import type { ConsumerSpec, StreamingPipeline } from "../../../operator/src/api/types.js";
import { repoRoot } from "../../support/tools.js";
import type { Cli } from "./cli.js";

/** The release's Strimzi Kafka, or bootstrap servers of a Kafka outside the release. */
export type KafkaRef = { name: string; namespace: string } | { bootstrapServers: string };

/**
 * examples/pipeline.yaml as a user would adapt it to a cluster: in `namespace`, on the test's
 * Kafka (a Strimzi clusterRef over the plain listener, or bootstrap servers), with topics and
 * groups suffixed so that pipelines of different tests share the Kafka without sharing data.
 */
export function examplePipeline(
  namespace: string,
  suffix: string,
  kafka: KafkaRef,
): StreamingPipeline {
  const p = yaml.load(
    readFileSync(join(repoRoot, "examples/pipeline.yaml"), "utf8"),
  ) as StreamingPipeline;
  const rename = (name: string) => `${name}-${suffix}`;
  p.metadata.namespace = namespace;
  p.spec.kafka =
    "bootstrapServers" in kafka
      ? { bootstrapServers: kafka.bootstrapServers }
      : { clusterRef: { name: kafka.name, namespace: kafka.namespace, listener: "plain" } };
  p.spec.topicDeletionPolicy = "Delete";
  for (const topic of p.spec.topics) topic.name = rename(topic.name);
  p.spec.producer.topic = rename(p.spec.producer.topic);
  for (const c of p.spec.consumers) {
    c.topics = c.topics.map(rename);
    if (c.outputTopic) c.outputTopic = rename(c.outputTopic);
    c.groupId = rename(c.groupId ?? c.name);
  }
  return p;
}

export function consumer(p: StreamingPipeline, name: string): ConsumerSpec {
  const found = p.spec.consumers.find((c) => c.name === name);
  if (!found) throw new Error(`pipeline ${p.metadata.name} has no consumer ${name}`);
  return found;
}

/**
 * At most one analytics pod: each pod dedupes only what it saw, so only a single pod's figures
 * are exact across a rebalance (and a replay must reproduce them).
 */
export function oneAnalyticsPod(p: StreamingPipeline): void {
  const analytics = consumer(p, "analytics");
  if (analytics.autoscaling) analytics.autoscaling.maxReplicas = 1;
}

/** `kubectl apply -f pipeline.yaml`. */
export async function applyPipeline(cli: Cli, p: StreamingPipeline): Promise<void> {
  await cli.kubectlOk(["apply", "-f", "-"], yaml.dump(p));
}
