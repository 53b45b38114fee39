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

/**
 * Where the inventory role sends events it cannot parse: `<input topic>.dlq`. The operator
 * creates it with the pipeline's topics, since brokers often refuse to auto-create topics.
 */
export function deadLetterTopic(consumer: ConsumerSpec): string | undefined {
  const input = consumer.topics[0];
  return consumer.role === "inventory" && input ? `${input}.dlq` : undefined;
}
