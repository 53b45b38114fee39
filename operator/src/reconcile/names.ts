import type { ConsumerSpec, StreamingPipeline } from "../api/types.js";

export const PRODUCER = "producer";

export function producerName(pipeline: StreamingPipeline): string {
  return `${pipeline.metadata.name}-${PRODUCER}`;
}

export function consumerName(pipeline: StreamingPipeline, consumer: ConsumerSpec): string {
  return `${pipeline.metadata.name}-${consumer.name}`;
}

/** The consumer's Kafka group: its own `groupId`, else `<pipeline>-<consumer>`. */
export function consumerGroupId(pipeline: StreamingPipeline, consumer: ConsumerSpec): string {
  return consumer.groupId ?? `${pipeline.metadata.name}-${consumer.name}`;
}

/** The topic the inventory role publishes results to. */
export function inventoryTopic(pipeline: StreamingPipeline): string {
  const inventory = pipeline.spec.consumers.find((c) => c.role === "inventory");
  return inventory?.outputTopic ?? "inventory-events";
}
