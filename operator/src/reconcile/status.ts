import { CONDITION } from "../api/constants.js";
import type {
  ConsumerStatus,
  StreamingPipeline,
  StreamingPipelineStatus,
  TopicStatus,
  WorkloadStatus,
} from "../api/types.js";
import { type ConditionUpdate, setConditions } from "./conditions.js";
import type { ObservedTopic, TopicPlan } from "./desired-topics.js";

/** Whether the operator could talk to Kafka, and if not, why (for a person to act on). */
export type KafkaObservation =
  | { reachable: true; bootstrapServers: string; brokers: number }
  | { reachable: false; bootstrapServers?: string; reason: string; message: string };

/**
 * Kafka's topics after the plan was applied, what is left of the plan, and what failed; or, when
 * the topics could not be read, the error (absent when Kafka itself was unreachable).
 */
export type TopicsObservation =
  | { observed: true; topics: ObservedTopic[]; remaining: TopicPlan; errors: string[] }
  | { observed: false; error?: string };

/** The parts of a Deployment's spec and status that say whether it is ready. */
export interface DeploymentObservation {
  generation: number;
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
}

export interface WorkloadObservation {
  /** `producer` or the consumer's name. */
  component: string;
  /** The replicas the operator applied. */
  desiredReplicas: number;
  /** Absent when the Deployment could not be applied. */
  deployment?: DeploymentObservation;
  applyError?: string;
}

export interface ConsumerObservation extends WorkloadObservation {
  groupId: string;
  lag?: number;
}

export interface Observations {
  kafka: KafkaObservation;
  topics: TopicsObservation;
  /** Empty with `workloadsSkipped` set when the workloads could not be applied at all. */
  producer?: WorkloadObservation;
  consumers: ConsumerObservation[];
  workloadsSkipped?: { reason: string; message: string };
}

/**
 * The whole status from what the reconcile observed. Condition types this module does not own
 * (e.g. Scaling, Replay) are kept as they are; transition times move only on a status change.
 */
export function computeStatus(
  pipeline: StreamingPipeline,
  obs: Observations,
  now: string,
): StreamingPipelineStatus {
  const previous = pipeline.status ?? {};
  const generation = pipeline.metadata.generation;
  const kafka = kafkaCondition(obs.kafka);
  const topics = topicsCondition(pipeline, obs);
  const workloads = workloadsCondition(obs);
  const ready = readyCondition([kafka, topics, workloads]);
  const conditions = setConditions(
    previous.conditions,
    [ready, kafka, topics, workloads].map((c) => ({ ...c, observedGeneration: generation })),
    now,
  );

  const topicStatus: TopicStatus[] | undefined = obs.topics.observed
    ? topicStatuses(pipeline, obs.topics.topics)
    : previous.topics;
  const producer = obs.producer ? workloadStatus(obs.producer) : previous.producer;
  const consumers: ConsumerStatus[] = obs.workloadsSkipped
    ? (previous.consumers ?? [])
    : obs.consumers.map((c) => ({
        name: c.component,
        groupId: c.groupId,
        ...workloadStatus(c),
        ...(c.lag === undefined ? {} : { lag: c.lag }),
      }));
  const lags = consumers.flatMap((c) => (c.lag === undefined ? [] : [c.lag]));

  const status: StreamingPipelineStatus = {
    observedGeneration: generation,
    conditions,
  };
  const bootstrap = obs.kafka.bootstrapServers ?? previous.bootstrapServers;
  if (bootstrap) status.bootstrapServers = bootstrap;
  if (topicStatus) status.topics = topicStatus;
  if (producer) status.producer = producer;
  status.consumers = consumers;
  if (lags.length > 0) status.totalLag = lags.reduce((a, b) => a + b, 0);
  status.summary = {
    topics: (topicStatus ?? []).map((t) => `${t.name}:${t.partitions}`).join(" ") || "none",
    replicas: replicasSummary(producer, consumers),
  };
  return status;
}

function kafkaCondition(kafka: KafkaObservation): ConditionUpdate {
  if (kafka.reachable) {
    const brokers = kafka.brokers === 1 ? "1 broker" : `${kafka.brokers} brokers`;
    return {
      type: CONDITION.KafkaReachable,
      status: "True",
      reason: "Connected",
      message: `connected to ${kafka.bootstrapServers} (${brokers})`,
    };
  }
  return {
    type: CONDITION.KafkaReachable,
    status: "False",
    reason: kafka.reason,
    message: kafka.message,
  };
}

function topicsCondition(pipeline: StreamingPipeline, obs: Observations): ConditionUpdate {
  const type = CONDITION.TopicsReady;
  if (!obs.topics.observed && obs.topics.error) {
    return { type, status: "False", reason: "TopicAdminFailed", message: obs.topics.error };
  }
  if (!obs.topics.observed) {
    return {
      type,
      status: "Unknown",
      reason: "KafkaUnreachable",
      message: "topics cannot be checked until Kafka is reachable",
    };
  }
  const { remaining, errors } = obs.topics;
  if (errors.length > 0) {
    return { type, status: "False", reason: "TopicAdminFailed", message: errors.join("; ") };
  }
  if (remaining.refusedShrink.length > 0) {
    return {
      type,
      status: "False",
      reason: "PartitionDecreaseRefused",
      message: remaining.refusedShrink
        .map(
          (s) =>
            `topic ${s.name} has ${s.have} partitions but the spec asks for ${s.want}: Kafka cannot remove partitions, set partitions to ${s.have} or more`,
        )
        .join("; "),
    };
  }
  if (remaining.replicationMismatch.length > 0) {
    return {
      type,
      status: "False",
      reason: "ReplicationFactorMismatch",
      message: remaining.replicationMismatch
        .map(
          (m) =>
            `topic ${m.name} has replication factor ${m.have} but the spec asks for ${m.want}: changing it needs a partition reassignment, which the operator does not do`,
        )
        .join("; "),
    };
  }
  const pending = [
    ...remaining.create.map((t) => `${t.name} not created yet`),
    ...remaining.grow.map((g) => `${g.name} has ${g.from} of ${g.to} partitions`),
    ...remaining.correctConfig.map((c) => `${c.name} config differs (${c.changed.join(", ")})`),
  ];
  if (pending.length > 0) {
    return { type, status: "False", reason: "TopicsPending", message: pending.join("; ") };
  }
  const n = pipeline.spec.topics.length;
  return {
    type,
    status: "True",
    reason: "TopicsMatchSpec",
    message: `${n} ${n === 1 ? "topic matches" : "topics match"} the spec`,
  };
}

function isReady(w: WorkloadObservation): boolean {
  const d = w.deployment;
  return (
    d !== undefined &&
    d.observedGeneration >= d.generation &&
    d.updatedReplicas >= d.replicas &&
    d.readyReplicas >= d.replicas
  );
}

function workloadsCondition(obs: Observations): ConditionUpdate {
  const type = CONDITION.WorkloadsReady;
  if (obs.workloadsSkipped) return { type, status: "False", ...obs.workloadsSkipped };
  const all = [...(obs.producer ? [obs.producer] : []), ...obs.consumers];
  const failed = all.filter((w) => w.applyError);
  if (failed.length > 0) {
    return {
      type,
      status: "False",
      reason: "ApplyFailed",
      message: failed.map((w) => `${w.component}: ${w.applyError}`).join("; "),
    };
  }
  const counts = all.map((w) => `${w.component} ${readyCount(w)}`).join(", ");
  const waiting = all.filter((w) => !isReady(w));
  if (waiting.length === 0) {
    return { type, status: "True", reason: "AllReplicasReady", message: `ready: ${counts}` };
  }
  const rolling = waiting.filter(
    (w) => w.deployment && w.deployment.observedGeneration < w.deployment.generation,
  );
  return {
    type,
    status: "False",
    reason: rolling.length === waiting.length ? "RollingOut" : "ReplicasNotReady",
    message: `waiting for ready replicas: ${waiting.map((w) => `${w.component} ${readyCount(w)}`).join(", ")}`,
  };
}

function readyCondition(parts: ConditionUpdate[]): ConditionUpdate {
  const notTrue = parts.find((c) => c.status !== "True");
  if (!notTrue) {
    return {
      type: CONDITION.Ready,
      status: "True",
      reason: "PipelineReady",
      message: "Kafka is reachable, topics match the spec and every workload is ready",
    };
  }
  const reasonByType: Record<string, string> = {
    [CONDITION.KafkaReachable]: "KafkaUnreachable",
    [CONDITION.TopicsReady]: "TopicsNotReady",
    [CONDITION.WorkloadsReady]: "WorkloadsNotReady",
  };
  return {
    type: CONDITION.Ready,
    status: "False",
    reason: reasonByType[notTrue.type] ?? "NotReady",
    message: `${notTrue.type}: ${notTrue.message}`,
  };
}

function topicStatuses(pipeline: StreamingPipeline, observed: ObservedTopic[]): TopicStatus[] {
  const byName = new Map(observed.map((t) => [t.name, t]));
  return pipeline.spec.topics.flatMap((t) => {
    const have = byName.get(t.name);
    return have
      ? [{ name: t.name, partitions: have.partitions, replicationFactor: have.replicationFactor }]
      : [];
  });
}

function workloadStatus(w: WorkloadObservation): WorkloadStatus {
  return { desiredReplicas: w.desiredReplicas, readyReplicas: w.deployment?.readyReplicas ?? 0 };
}

function readyCount(w: WorkloadObservation): string {
  return `${w.deployment?.readyReplicas ?? 0}/${w.desiredReplicas}`;
}

function replicasSummary(
  producer: WorkloadStatus | undefined,
  consumers: ConsumerStatus[],
): string {
  const parts = [
    ...(producer ? [`producer ${producer.readyReplicas}/${producer.desiredReplicas}`] : []),
    ...consumers.map((c) => `${c.name} ${c.readyReplicas}/${c.desiredReplicas}`),
  ];
  return parts.join(", ") || "none";
}
