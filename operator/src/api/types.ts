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
}

export type TopicDeletionPolicy = "Retain" | "Delete";

export interface StreamingPipelineSpec {
  kafka: KafkaSpec;
  topics: TopicSpec[];
  producer: ProducerSpec;
  consumers: ConsumerSpec[];
  topicDeletionPolicy: TopicDeletionPolicy;
  image?: string;
}

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

export interface ConsumerStatus extends WorkloadStatus {
  name: string;
  groupId: string;
  /** Events the group still has to read, summed over its topics; absent when not measured. */
  lag?: number;
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
