import type { V1Affinity, V1Toleration, V1TopologySpreadConstraint } from "@kubernetes/client-node";

// The StreamingPipeline resource as the API server stores it. The CRD's OpenAPI schema and CEL
// rules (crds/streamingpipeline.yaml) validate and default every field at the boundary, so these
// types mark as required what the schema guarantees after defaulting.

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  resourceVersion: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface KafkaClusterRef {
  name: string;
  /** Defaults to the pipeline's namespace. */
  namespace?: string;
  /** Strimzi listener name; the first listener in the Kafka's status when unset. */
  listener?: string;
}

export interface KafkaTlsSpec {
  /** CA bundle to verify the brokers with; the system CAs (or Strimzi's listener CA) when unset. */
  caSecretRef?: SecretKeyRef;
}

export type SaslMechanism = "scram-sha-512" | "scram-sha-256" | "plain";

export interface KafkaSaslSpec {
  mechanism: SaslMechanism;
  /** The user name itself (e.g. a Strimzi KafkaUser's name); else read from the Secret. */
  username?: string;
  /** Secret holding the credentials; keys `usernameKey` (default `username`), `passwordKey`
   *  (default `password`). */
  secretRef: { name: string; usernameKey: string; passwordKey: string };
}

export interface KafkaSpec {
  bootstrapServers?: string;
  clusterRef?: KafkaClusterRef;
  tls?: KafkaTlsSpec;
  sasl?: KafkaSaslSpec;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  config?: Record<string, string>;
}

export interface ProducerSpec {
  image?: string;
  replicas: number;
  port: number;
  /** The topic orders are written to. */
  topic: string;
  resources?: ResourceRequirements;
}

export type ConsumerRole = "inventory" | "analytics" | "custom";

export interface AutoscalingSpec {
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  lagThreshold: number;
  catchUpSeconds: number;
  scaleDownStabilizationSeconds: number;
  syncPeriodSeconds: number;
  capAtPartitionsWithLag: boolean;
}

/** Where a consumer starts on a partition its group never committed (auto.offset.reset). */
export type OffsetReset = "earliest" | "latest";

export interface ConsumerSpec {
  name: string;
  role: ConsumerRole;
  image?: string;
  command?: string[];
  /** Defaults to `<pipeline>-<consumer>` (see consumerGroupId). */
  groupId?: string;
  topics: string[];
  /** Where the inventory role publishes its results; `inventory-events` when unset. */
  outputTopic?: string;
  replicas: number;
  port: number;
  resources?: ResourceRequirements;
  autoscaling?: AutoscalingSpec;
  /**
   * The consumer's reset policy, which decides the lag of a partition it never committed:
   * `earliest` counts what is still in the log, `latest` nothing. Earliest when unset (the
   * built-in roles always start from the earliest offset).
   */
  offsetReset?: OffsetReset;
}

export type TopicDeletionPolicy = "Retain" | "Delete";

export interface StreamingPipelineSpec {
  kafka: KafkaSpec;
  topics: TopicSpec[];
  producer: ProducerSpec;
  consumers: ConsumerSpec[];
  topicDeletionPolicy: TopicDeletionPolicy;
  image?: string;
  /** Overrides the operator's pull policy (the chart's image.pullPolicy) for every workload. */
  imagePullPolicy?: ImagePullPolicy;
  /** Secrets in the pipeline's namespace for pulling the image; replace the operator's default. */
  imagePullSecrets?: Array<{ name: string }>;
  /** Scheduling and metadata for every workload's pods. */
  pod?: PodSettings;
}

export interface PodSettings {
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
  affinity?: V1Affinity;
  topologySpreadConstraints?: V1TopologySpreadConstraint[];
  priorityClassName?: string;
  annotations?: Record<string, string>;
}

export type ImagePullPolicy = "Always" | "IfNotPresent" | "Never";

export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  /** CamelCase, machine-readable. */
  reason: string;
  /** For people: what happened and what to do. */
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface TopicStatus {
  name: string;
  /** Partitions Kafka has now (may be more than the spec asks for when a shrink was refused). */
  partitions: number;
  replicationFactor: number;
}

export interface WorkloadStatus {
  /** The replicas the operator asked for. */
  desiredReplicas: number;
  /** Pods that pass their readiness probe. */
  readyReplicas: number;
}

/** Burrow's verdict on a consumer group over a window of readings. */
export type GroupHealthStatus = "OK" | "WARN" | "STALL" | "STOP";

/** The autoscaler's latest decision for one consumer. */
export interface ScalingDecisionStatus {
  /** CamelCase: ScaledUpForBacklog, HeldForStabilization, Steady, PausedForReplay, ... */
  reason: string;
  /** For people, with the numbers behind the decision. */
  message: string;
  /** When it was made (RFC 3339). */
  time: string;
  /** What the group needs now, before scale-down stabilization. */
  recommendation: number;
  /** A scale-up settled without raising consumption: the bottleneck is elsewhere. */
  ineffectiveScaleUp?: boolean;
  /** At the partition count and still falling behind: only more partitions would help. */
  partitionLimited?: boolean;
}

export interface ConsumerStatus extends WorkloadStatus {
  name: string;
  groupId: string;
  /** Events the group still has to read, summed over its topics; absent when not measured. */
  lag?: number;
  /** Partitions of the consumer's topics: the most replicas that can work. */
  partitions?: number;
  /** Events/s written to the consumer's topics over the rate window (autoscaled consumers). */
  productionRate?: number;
  /** Events/s the group committed over the rate window. */
  consumptionRate?: number;
  /** Predicted seconds until the backlog is worked off at the desired replicas. */
  timeToDrainSeconds?: number;
  health?: GroupHealthStatus;
  healthMessage?: string;
  lastDecision?: ScalingDecisionStatus;
  /** When the autoscaler last changed the replicas (RFC 3339). */
  lastScaleTime?: string;
}

/** The steps of a replay, each written to status before it is taken. */
export type ReplayPhase =
  | "ScalingDown"
  | "WaitingForEmptyGroup"
  | "MovingOffsets"
  | "ScalingUp"
  | "Finishing"
  | "Completed"
  | "Failed";

export interface ReplayPartitionStatus {
  topic: string;
  partition: number;
  /** The group's committed offset before the replay; null when it had never committed. */
  before: number | null;
  /** The committed offset the replay set. */
  after: number;
}

/** The replay in progress, or the last one. */
export interface ReplayStatus {
  /** The annotation's value as given: `<consumer>:<target>`. */
  request: string;
  consumer: string;
  groupId: string;
  /** `earliest`, `latest`, or the RFC 3339 time replayed from (a relative target is resolved
   *  once, when the request is accepted, so a restart does not move it). */
  target: string;
  phase: ReplayPhase;
  message: string;
  requestedAt: string;
  /** The replicas the consumer had, restored after the offsets moved. */
  restoreReplicas: number;
  /** When the wait for the group to empty began. */
  waitingSince?: string;
  /** Per partition, the offsets before and after (set once the group is empty). */
  partitions?: ReplayPartitionStatus[];
  /** Events the group will read again. */
  eventsToReprocess?: number;
  /** Events the group will not read (a target ahead of its commits, e.g. `latest`). */
  eventsSkipped?: number;
  /** Why the replay gave up; the consumer is scaled back all the same. */
  failure?: { reason: string; message: string };
  completedAt?: string;
}

export interface StreamingPipelineStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  /** The bootstrap address the operator used. */
  bootstrapServers?: string;
  topics?: TopicStatus[];
  producer?: WorkloadStatus;
  consumers?: ConsumerStatus[];
  totalLag?: number;
  replay?: ReplayStatus;
  /** One-line strings for `kubectl get` printer columns. */
  summary?: { topics: string; replicas: string };
}

export interface StreamingPipeline {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: StreamingPipelineSpec;
  status?: StreamingPipelineStatus;
}
