import { TOPICS_FINALIZER } from "../api/constants.js";
import type { StreamingPipeline } from "../api/types.js";
import { kafkaIdentity } from "../kafka/connection.js";
import { pipelineTopics } from "./desired-topics.js";

export type FinalizerChange = "add" | "remove" | "none";

export function hasTopicsFinalizer(pipeline: StreamingPipeline): boolean {
  return pipeline.metadata.finalizers?.includes(TOPICS_FINALIZER) ?? false;
}

/**
 * The topic finalizer is present exactly while topicDeletionPolicy is Delete: with Retain there is
 * nothing to do on deletion, so the pipeline need not wait for the operator to go away.
 */
export function finalizerChange(pipeline: StreamingPipeline): FinalizerChange {
  const has = hasTopicsFinalizer(pipeline);
  const wants = pipeline.spec.topicDeletionPolicy === "Delete";
  if (wants && !has) return "add";
  if (!wants && has) return "remove";
  return "none";
}

export function withoutFinalizer(pipeline: StreamingPipeline): string[] {
  return (pipeline.metadata.finalizers ?? []).filter((f) => f !== TOPICS_FINALIZER);
}

export function withFinalizer(pipeline: StreamingPipeline): string[] {
  return [...withoutFinalizer(pipeline), TOPICS_FINALIZER];
}

export interface TopicDeletion {
  delete: string[];
  /** Topics another live pipeline on the same Kafka still declares, with who declares them. */
  keep: Array<{ topic: string; by: string }>;
}

/**
 * Which of a deleted pipeline's topics to delete under the Delete policy: all of them, except
 * those another pipeline (not itself being deleted) on the same Kafka still declares.
 */
export function topicsToDelete(
  pipeline: StreamingPipeline,
  others: readonly StreamingPipeline[],
): TopicDeletion {
  const kafka = kafkaIdentity(pipeline.spec.kafka, pipeline.metadata.namespace);
  const declaredBy = new Map<string, string>();
  for (const other of others) {
    if (other.metadata.uid === pipeline.metadata.uid || other.metadata.deletionTimestamp) continue;
    if (kafkaIdentity(other.spec.kafka, other.metadata.namespace) !== kafka) continue;
    for (const t of pipelineTopics(other.spec)) {
      if (!declaredBy.has(t.name)) {
        declaredBy.set(t.name, `${other.metadata.namespace}/${other.metadata.name}`);
      }
    }
  }
  const result: TopicDeletion = { delete: [], keep: [] };
  for (const { name } of pipelineTopics(pipeline.spec)) {
    const by = declaredBy.get(name);
    if (by) result.keep.push({ topic: name, by });
    else result.delete.push(name);
  }
  return result;
}
