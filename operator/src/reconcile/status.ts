import { CONDITION } from "../api/constants.js";
import type {
  Condition,
  ConsumerStatus,
  GroupHealthStatus,
  StreamingPipeline,
  StreamingPipelineStatus,
  TopicStatus,
  WorkloadStatus,
} from "../api/types.js";
import { type ConditionUpdate, setConditions } from "./conditions.js";
import { type ObservedTopic, pipelineTopics, type TopicPlan } from "./desired-topics.js";

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

/** What the autoscaler saw and decided for one consumer at its latest sync. */
export interface ConsumerScalingObservation {
  /** Partitions of the consumer's topics. */
  partitions: number;
  /** Events/s over the rate window; absent until two readings span it. */
  rates?: { production: number; consumption: number };
  timeToDrainSeconds: number | null;
  health: { status: GroupHealthStatus; message: string };
  decision: {
    replicas: number;
    reason: string;
    message: string;
    recommendation: number;
    ineffectiveScaleUp: boolean;
    partitionLimited: boolean;
  };
  /** When the decision was made (RFC 3339). */
  decidedAt: string;
  /** When the autoscaler last changed the replicas (RFC 3339), if it has. */
  lastScaleTime?: string;
}

export interface ConsumerObservation extends WorkloadObservation {
  groupId: string;
  lag?: number;
  /** Absent when autoscaling is off or nothing was measured yet (e.g. Kafka unreachable). */
  scaling?: ConsumerScalingObservation;
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
  const scaling = scalingCondition(pipeline, obs);
  const conditions = withScaling(
    setConditions(
      previous.conditions,
      [ready, kafka, topics, workloads].map((c) => ({ ...c, observedGeneration: generation })),
      now,
    ),
    scaling && { ...scaling, observedGeneration: generation },
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
        ...(c.scaling
          ? scalingStatus(
              c.scaling,
              previous.consumers?.find((p) => p.name === c.component),
            )
          : {}),
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
  const n = pipelineTopics(pipeline.spec).length;
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
  return pipelineTopics(pipeline.spec).flatMap((t) => {
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

/** The Scaling condition's type: how the autoscaler fares, for the consumers that autoscale. */
export const SCALING_CONDITION = "Scaling";

/**
 * The Scaling condition: False when a consumer is at its partition count and still falls behind
 * (PartitionLimited) or a scale-up did not raise consumption (IneffectiveScaleUp), True otherwise.
 * `null` removes it (no consumer autoscales); undefined keeps it (nothing measured this time).
 */
function scalingCondition(
  pipeline: StreamingPipeline,
  obs: Observations,
): ConditionUpdate | null | undefined {
  const autoscaled = new Set(
    pipeline.spec.consumers.filter((c) => c.autoscaling?.enabled).map((c) => c.name),
  );
  if (autoscaled.size === 0) return null;
  if (obs.workloadsSkipped) return undefined;
  const measured = obs.consumers
    .filter((c) => autoscaled.has(c.component))
    .flatMap((c) => (c.scaling ? [{ name: c.component, ...c.scaling }] : []));
  if (measured.length === 0) return undefined;
  const type = SCALING_CONDITION;
  const limited = measured.filter((c) => c.decision.partitionLimited);
  const ineffective = measured.filter((c) => c.decision.ineffectiveScaleUp);
  const problems = [
    ...limited.map(
      (c) =>
        `${c.name}: ${replicaCount(c.decision.replicas)} on ${c.partitions} partitions and still falling behind; only more partitions would help (${c.decision.message})`,
    ),
    ...ineffective.map(
      (c) =>
        `${c.name}: the last scale-up did not raise consumption; the bottleneck is elsewhere (${c.decision.message})`,
    ),
  ];
  if (problems.length > 0) {
    return {
      type,
      status: "False",
      reason: limited.length > 0 ? "PartitionLimited" : "IneffectiveScaleUp",
      message: problems.join("; "),
    };
  }
  return {
    type,
    status: "True",
    reason: "ScalingActive",
    message: measured
      .map((c) => `${c.name} ${replicaCount(c.decision.replicas)} (${c.decision.reason})`)
      .join(", "),
  };
}

function withScaling(
  conditions: Condition[],
  update: ConditionUpdate | null | undefined,
  now: string,
): Condition[] {
  if (update === undefined) return conditions;
  if (update === null) return conditions.filter((c) => c.type !== SCALING_CONDITION);
  return setConditions(conditions, [update], now);
}

const replicaCount = (n: number) => `${n} ${n === 1 ? "replica" : "replicas"}`;

/** Events/s to one decimal: enough for people, and a status that does not churn on noise. */
const roundRate = (perSecond: number) => Math.round(perSecond * 10) / 10;

/**
 * A consumer's autoscaling fields. What the autoscaler cannot tell yet (rates in the first sync
 * period after a restart, the last scale before it) stays as last reported, and an unchanged
 * decision keeps its time: an idle pipeline's status does not change at every sync, nor when
 * the operator restarts.
 */
function scalingStatus(
  s: ConsumerScalingObservation,
  previous: ConsumerStatus | undefined,
): Partial<ConsumerStatus> {
  const d = s.decision;
  const before = previous?.lastDecision;
  const unchanged =
    before !== undefined &&
    before.reason === d.reason &&
    before.message === d.message &&
    before.recommendation === d.recommendation;
  const lastScaleTime = s.lastScaleTime ?? previous?.lastScaleTime;
  const rates = s.rates
    ? {
        productionRate: roundRate(s.rates.production),
        consumptionRate: roundRate(s.rates.consumption),
      }
    : previous?.productionRate !== undefined && previous.consumptionRate !== undefined
      ? { productionRate: previous.productionRate, consumptionRate: previous.consumptionRate }
      : {};
  return {
    partitions: s.partitions,
    ...rates,
    ...(s.timeToDrainSeconds === null
      ? {}
      : { timeToDrainSeconds: Math.round(s.timeToDrainSeconds) }),
    health: s.health.status,
    healthMessage: s.health.message,
    lastDecision: {
      reason: d.reason,
      message: d.message,
      time: unchanged ? before.time : s.decidedAt,
      recommendation: d.recommendation,
      ...(d.ineffectiveScaleUp ? { ineffectiveScaleUp: true } : {}),
      ...(d.partitionLimited ? { partitionLimited: true } : {}),
    },
    ...(lastScaleTime ? { lastScaleTime } : {}),
  };
}
