import type { V1Deployment } from "@kubernetes/client-node";
import type { Admin } from "kafkajs";
import type { Logger } from "pino";
import { CONDITION } from "../api/constants.js";
import type { ImagePullPolicy, StreamingPipeline } from "../api/types.js";
import type { Autoscaler, ConsumerScaling } from "../autoscale/autoscaler.js";
import type { AdminPool } from "../kafka/admin-pool.js";
import {
  KafkaConfigError,
  type KafkaConnection,
  type KafkaReferenceReader,
  resolveKafkaConnection,
} from "../kafka/connection.js";
import { KafkaUnreachableError } from "../kafka/errors.js";
import { totalLag } from "../kafka/lag.js";
import { type GroupLag, readGroupLag } from "../kafka/lag-reader.js";
import {
  applyTopicPlan,
  deleteTopics,
  observeTopics,
  type TopicAction,
} from "../kafka/topic-admin.js";
import { apply } from "../kube/apply.js";
import type { KubeClients } from "../kube/clients.js";
import { apiMessage } from "../kube/errors.js";
import type { EventSink } from "../kube/events.js";
import type { OwnedObjects } from "../kube/owned.js";
import type { PipelineStore } from "../kube/pipelines.js";
import { type OperatorMetrics, PipelineSeries } from "../observability/metrics.js";
import { transitions } from "../reconcile/conditions.js";
import { consumerReplicas } from "../reconcile/consumer-replicas.js";
import { pipelineTopics, planTopics } from "../reconcile/desired-topics.js";
import {
  desiredDeployment,
  desiredProducerService,
  type Workload,
  type WorkloadContext,
} from "../reconcile/desired-workloads.js";
import {
  finalizerChange,
  hasTopicsFinalizer,
  topicsToDelete,
  withFinalizer,
  withoutFinalizer,
} from "../reconcile/finalizer.js";
import { consumerGroupId, consumerName, PRODUCER, producerName } from "../reconcile/names.js";
import {
  type ConsumerObservation,
  type ConsumerScalingObservation,
  computeStatus,
  type DeploymentObservation,
  type KafkaObservation,
  type TopicsObservation,
  type WorkloadObservation,
} from "../reconcile/status.js";
import { statusPatch } from "../reconcile/status-patch.js";
import { type WorkloadKafka, workloadKafka } from "../reconcile/workload-kafka.js";
import { REPLAY_CONDITION } from "../replay/machine.js";
import type { ReplayOptions } from "../replay/options.js";
import { ReplayRunner } from "../replay/runner.js";
import { formatDuration } from "./backoff.js";
import { keyOf, parseKey } from "./event-filter.js";

const HEALTH_LEVEL = { OK: 0, WARN: 1, STALL: 2, STOP: 3 } as const;
/** No reconcile is asked for sooner than this after the last, whatever falls due. */
const MIN_REQUEUE_MS = 250;

export interface ReconcilerDeps {
  clients: KubeClients;
  pipelines: PipelineStore;
  owned: OwnedObjects;
  kafkaRefs: KafkaReferenceReader;
  admins: AdminPool;
  events: EventSink;
  log: Logger;
  workloadImage: string;
  workloadImagePullPolicy?: ImagePullPolicy;
  workloadImagePullSecrets?: readonly string[];
  /** Where other pipelines may live (for shared-topic checks); empty means all namespaces. */
  watchNamespaces: readonly string[];
  /** Decides autoscaled consumers' replicas from the readings made each sync period. */
  autoscaler: Autoscaler;
  replayOptions?: ReplayOptions;
  metrics?: OperatorMetrics;
  /**
   * Asks for another reconcile of the key after `ms` (the controller's queue.addAfter): how the
   * autoscaler's sync period and a replay's steps come round without a writer of their own.
   */
  requeueAfter?: (key: string, ms: number) => void;
  now?: () => Date;
}

export interface ReconcileContext {
  /** The delay before the next attempt if this one fails: said in status messages. */
  retryDelayMs: number;
}

export type ReconcileResult =
  /** Converged, or waiting for an event (a Deployment becoming ready) that will wake it. */
  | { outcome: "done" }
  /** A transient failure the status already explains: retry with backoff. */
  | { outcome: "retry"; reason: string };

interface KafkaOutcome {
  kafka: KafkaObservation;
  /** The resolved connection, when Kafka answered. */
  conn?: KafkaConnection;
  topics: TopicsObservation;
  /** How pods reach Kafka; undefined when not even the address is known. */
  workloadKafka?: WorkloadKafka;
  actions: TopicAction[];
  lags: Map<string, GroupLag>;
  retry?: string;
}

/** A change of a consumer's replicas the autoscaler made in this reconcile. */
interface ScalingChange {
  consumer: string;
  from: number;
  to: number;
  scaling: ConsumerScaling;
}

interface WorkloadsOutcome {
  producer?: WorkloadObservation;
  consumers: ConsumerObservation[];
  scaled: ScalingChange[];
  skipped?: { reason: string; message: string };
  retry?: string;
}

/** Conditions whose change to False is routine, not something a user must notice. */
const QUIET_REASONS = new Set(["ReplicasNotReady", "RollingOut", "TopicsPending"]);

/**
 * One level-triggered reconcile of one pipeline: read it fresh, make Kafka's topics and the
 * Deployments match it, and write what was observed to status (only when it changed). It never
 * trusts the event that woke it, so running it again with nothing changed changes nothing.
 */
export class Reconciler {
  private readonly series = new PipelineSeries();
  private readonly replays: ReplayRunner;

  constructor(private readonly d: ReconcilerDeps) {
    this.replays = new ReplayRunner({
      clients: d.clients,
      pipelines: d.pipelines,
      owned: d.owned,
      admins: d.admins,
      events: d.events,
      log: d.log,
      autoscaler: d.autoscaler,
      ...(d.metrics ? { metrics: d.metrics } : {}),
      ...(d.replayOptions ? { options: d.replayOptions } : {}),
      ...(d.now ? { now: d.now } : {}),
    });
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const { namespace, name } = parseKey(key);
    let pipeline = await this.d.pipelines.get(namespace, name);
    if (!pipeline || pipeline.metadata.deletionTimestamp) {
      this.d.autoscaler.forget(key);
      this.series.forget(key);
    }
    if (!pipeline) return { outcome: "done" };
    if (pipeline.metadata.deletionTimestamp) return this.finalize(pipeline, ctx);

    const change = finalizerChange(pipeline);
    if (change !== "none") {
      pipeline = await this.d.pipelines.setFinalizers(
        pipeline,
        change === "add" ? withFinalizer(pipeline) : withoutFinalizer(pipeline),
      );
    }

    const kafka = await this.reconcileKafka(pipeline, ctx);
    // A replay goes first: it may hold a consumer's replicas, and writes each step to status
    // before the reconcile applies it.
    const replay = await this.replays.step(pipeline, kafka.conn);
    pipeline = replay.pipeline;
    const workloads = await this.reconcileWorkloads(pipeline, kafka, replay.overrides);
    const now = this.now().toISOString();
    const status = computeStatus(
      pipeline,
      {
        kafka: kafka.kafka,
        topics: kafka.topics,
        ...(workloads.producer ? { producer: workloads.producer } : {}),
        consumers: workloads.consumers,
        ...(workloads.skipped ? { workloadsSkipped: workloads.skipped } : {}),
      },
      now,
    );

    // What a user must notice, as Events; sent together with the status write (each is one API
    // call, and none depends on another).
    const news: Array<[type: "Normal" | "Warning", reason: string, message: string]> = [];
    for (const action of kafka.actions) news.push(["Normal", action.reason, action.message]);
    for (const c of transitions(pipeline.status?.conditions, status.conditions ?? [])) {
      if (c.type === CONDITION.Ready && c.status !== "True") continue;
      // The replay announces its own steps.
      if (c.type === REPLAY_CONDITION) continue;
      if (c.status === "True") {
        // A first True is news only for Ready; recoveries are news for every condition.
        const before = pipeline.status?.conditions?.find((p) => p.type === c.type);
        if (c.type === CONDITION.Ready || before) news.push(["Normal", c.reason, c.message]);
      } else if (!QUIET_REASONS.has(c.reason)) {
        news.push(["Warning", c.reason, c.message]);
      }
    }
    for (const change of workloads.scaled) {
      const { decision } = change.scaling;
      news.push([
        "Normal",
        decision.reason,
        `${change.consumer}: ${change.from} → ${change.to} replicas: ${decision.message}`,
      ]);
      this.d.metrics?.scalingChanges.inc({
        namespace,
        pipeline: name,
        consumer: change.consumer,
        reason: decision.reason,
      });
    }

    const patch = statusPatch(pipeline.status, status);
    if (patch) this.d.log.debug({ pipeline: key, fields: Object.keys(patch) }, "status changed");
    await Promise.all([
      ...news.map(([type, reason, message]) => this.d.events.emit(pipeline, type, reason, message)),
      patch ? this.d.pipelines.patchStatus(pipeline, patch) : undefined,
    ]);

    this.d.autoscaler.forget(
      key,
      new Set(pipeline.spec.consumers.filter((c) => c.autoscaling?.enabled).map((c) => c.name)),
    );
    this.recordMetrics(pipeline, kafka, workloads);
    const retry = kafka.retry ?? workloads.retry;
    if (retry) return { outcome: "retry", reason: retry };
    // The next sync of an autoscaled consumer (a failing reconcile is retried with backoff
    // instead, and sampling resumes with it).
    const due = [this.d.autoscaler.nextDueMs(key, this.now().getTime()), replay.requeueAfterMs]
      .filter((ms) => ms !== undefined)
      .reduce<number | undefined>((a, b) => (a === undefined ? b : Math.min(a, b)), undefined);
    if (due !== undefined) this.d.requeueAfter?.(key, Math.max(MIN_REQUEUE_MS, due));
    return { outcome: "done" };
  }

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }

  /** Lag per partition and replicas per consumer, as gauges; series of what is gone are dropped. */
  private recordMetrics(
    pipeline: StreamingPipeline,
    kafka: KafkaOutcome,
    workloads: WorkloadsOutcome,
  ): void {
    const m = this.d.metrics;
    if (!m || workloads.skipped) return;
    const { namespace, name } = pipeline.metadata;
    const values: Parameters<PipelineSeries["replace"]>[1][number][] = [];
    for (const c of workloads.consumers) {
      const labels = { namespace, pipeline: name, consumer: c.component };
      values.push({ gauge: m.consumerDesiredReplicas, labels, value: c.desiredReplicas });
      if (c.deployment) {
        values.push({ gauge: m.consumerCurrentReplicas, labels, value: c.deployment.replicas });
        values.push({ gauge: m.consumerReadyReplicas, labels, value: c.deployment.readyReplicas });
      }
      const lag = kafka.lags.get(c.component);
      for (const p of lag?.partitions ?? []) {
        values.push({
          gauge: m.consumerLag,
          labels: { ...labels, group: c.groupId, topic: p.topic, partition: String(p.partition) },
          value: p.lag,
        });
      }
      if (c.scaling) {
        values.push({
          gauge: m.consumerHealth,
          labels,
          value: HEALTH_LEVEL[c.scaling.health.status],
        });
        if (c.scaling.rates) {
          values.push({
            gauge: m.consumerProductionRate,
            labels,
            value: c.scaling.rates.production,
          });
          values.push({
            gauge: m.consumerConsumptionRate,
            labels,
            value: c.scaling.rates.consumption,
          });
        }
      }
    }
    this.series.replace(keyOf(pipeline), values);
  }

  private async reconcileKafka(
    pipeline: StreamingPipeline,
    ctx: ReconcileContext,
  ): Promise<KafkaOutcome> {
    const { spec, metadata } = pipeline;
    const retrying = `retrying in ${formatDuration(ctx.retryDelayMs)}`;
    let conn: KafkaConnection;
    try {
      conn = await resolveKafkaConnection(spec.kafka, metadata.namespace, this.d.kafkaRefs);
    } catch (err) {
      if (!(err instanceof KafkaConfigError)) throw err;
      const out: KafkaOutcome = {
        kafka: {
          reachable: false,
          ...(err.bootstrapServers ? { bootstrapServers: err.bootstrapServers } : {}),
          reason: err.reason,
          message: `${err.message}; ${retrying}`,
        },
        topics: { observed: false },
        actions: [],
        lags: new Map(),
        retry: err.reason,
      };
      if (err.bootstrapServers) {
        out.workloadKafka = workloadKafka(spec.kafka, err.bootstrapServers, metadata.namespace);
      }
      return out;
    }
    const pods = workloadKafka(spec.kafka, conn.bootstrapServers, metadata.namespace);
    try {
      return await this.d.admins.withAdmin(conn, async (admin) => {
        const cluster = await admin.describeCluster();
        const kafka: KafkaObservation = {
          reachable: true,
          bootstrapServers: conn.bootstrapServers,
          brokers: cluster.brokers.length,
        };
        try {
          const wanted = pipelineTopics(spec);
          const names = wanted.map((t) => t.name);
          const before = await observeTopics(admin, names);
          const plan = planTopics(wanted, before);
          const result = await applyTopicPlan(admin, plan, { brokers: kafka.brokers });
          const after = result.actions.length > 0 ? await observeTopics(admin, names) : before;
          const topics: TopicsObservation = {
            observed: true,
            topics: [...after.values()],
            remaining: planTopics(wanted, after),
            errors: result.errors,
          };
          const lags = await this.readLags(admin, pipeline, new Set(after.keys()));
          const out: KafkaOutcome = {
            kafka,
            conn,
            topics,
            workloadKafka: pods,
            actions: result.actions,
            lags,
          };
          if (result.errors.length > 0) out.retry = "TopicAdminFailed";
          return out;
        } catch (err) {
          if (err instanceof KafkaUnreachableError) throw err;
          return {
            kafka,
            topics: { observed: false, error: `reading topics: ${apiMessage(err)}` },
            workloadKafka: pods,
            actions: [],
            lags: new Map(),
            retry: "TopicAdminFailed",
          };
        }
      });
    } catch (err) {
      if (!(err instanceof KafkaUnreachableError)) throw err;
      this.d.log.warn(
        {
          pipeline: `${metadata.namespace}/${metadata.name}`,
          kafka: err.bootstrapServers,
          cause: err.causeText,
        },
        "kafka unreachable",
      );
      return {
        kafka: {
          reachable: false,
          bootstrapServers: conn.bootstrapServers,
          reason: "KafkaUnreachable",
          message: `${err.message}; ${retrying}`,
        },
        topics: { observed: false },
        workloadKafka: pods,
        actions: [],
        lags: new Map(),
        retry: "KafkaUnreachable",
      };
    }
  }

  /** Each consumer group's lag over the topics it reads that exist; a failed read is skipped. */
  private async readLags(
    admin: Admin,
    pipeline: StreamingPipeline,
    existing: ReadonlySet<string>,
  ): Promise<Map<string, GroupLag>> {
    const lags = new Map<string, GroupLag>();
    for (const consumer of pipeline.spec.consumers) {
      const topics = consumer.topics.filter((t) => existing.has(t));
      if (topics.length === 0) continue;
      const groupId = consumerGroupId(pipeline, consumer);
      try {
        lags.set(
          consumer.name,
          await readGroupLag(admin, groupId, topics, consumer.offsetReset ?? "earliest"),
        );
      } catch (err) {
        this.d.log.debug({ err, groupId }, "could not read consumer group lag");
      }
    }
    return lags;
  }

  private async reconcileWorkloads(
    pipeline: StreamingPipeline,
    kafka: KafkaOutcome,
    overrides: ReadonlyMap<string, number>,
  ): Promise<WorkloadsOutcome> {
    if (!kafka.workloadKafka) {
      const why = kafka.kafka.reachable ? "" : `: ${kafka.kafka.message}`;
      return {
        consumers: [],
        scaled: [],
        skipped: {
          reason: "KafkaAddressUnknown",
          message: `workloads wait for the Kafka address${why}`,
        },
      };
    }
    const ctx: WorkloadContext = {
      defaultImage: this.d.workloadImage,
      defaultPullPolicy: this.d.workloadImagePullPolicy,
      defaultPullSecrets: this.d.workloadImagePullSecrets,
      kafka: kafka.workloadKafka,
    };
    const { namespace } = pipeline.metadata;
    const out: WorkloadsOutcome = { consumers: [], scaled: [] };
    const failed = (err: unknown) => {
      out.retry = "ApplyFailed";
      return apiMessage(err);
    };

    // The producer and every consumer are applied concurrently: each is a few independent API
    // calls, and a pipeline's reconcile time is mostly their round trips.
    const producerTask = (async (): Promise<WorkloadObservation> => {
      const producer: WorkloadObservation = {
        component: PRODUCER,
        desiredReplicas: pipeline.spec.producer.replicas,
      };
      try {
        const [applied] = await Promise.all([
          apply(this.d.clients, desiredDeployment(pipeline, { kind: "producer" }, ctx)),
          apply(this.d.clients, desiredProducerService(pipeline)),
        ]);
        producer.deployment = observeDeployment(applied);
      } catch (err) {
        producer.applyError = failed(err);
      }
      return producer;
    })();

    const consumerTasks = pipeline.spec.consumers.map(async (consumer) => {
      const name = consumerName(pipeline, consumer);
      const lag = kafka.lags.get(consumer.name);
      const groupId = consumerGroupId(pipeline, consumer);
      const observation: ConsumerObservation = {
        component: consumer.name,
        groupId,
        desiredReplicas: consumer.replicas,
        ...(lag ? { lag: totalLag(lag.partitions) } : {}),
      };
      let scaled: ScalingChange | undefined;
      try {
        const before = await this.d.owned.deployment(namespace, name);
        const current = before?.spec?.replicas;
        const override = overrides.get(consumer.name);
        const scaling = consumer.autoscaling?.enabled
          ? this.d.autoscaler.advise({
              pipelineKey: keyOf(pipeline),
              consumer: consumer.name,
              groupId,
              spec: consumer.autoscaling,
              lag,
              currentReplicas: current ?? consumer.autoscaling.minReplicas,
              paused: override !== undefined,
            })
          : undefined;
        // A replay owns the replicas while it runs; else the autoscaler's decision (which caps at
        // the partition count, so it is not clamped to minReplicas again); else the spec.
        const replicas =
          override ??
          (scaling ? scaling.decision.replicas : consumerReplicas(consumer, current, undefined));
        observation.desiredReplicas = replicas;
        if (scaling) observation.scaling = scalingObservation(scaling, lag);
        const workload: Workload = { kind: "consumer", consumer, replicas };
        const applied = await apply(this.d.clients, desiredDeployment(pipeline, workload, ctx));
        observation.deployment = observeDeployment(applied);
        if (scaling?.fresh && override === undefined && scaling.from !== replicas && before) {
          scaled = { consumer: consumer.name, from: scaling.from, to: replicas, scaling };
        }
      } catch (err) {
        observation.applyError = failed(err);
      }
      return { observation, scaled };
    });

    const [producer, consumers] = await Promise.all([producerTask, Promise.all(consumerTasks)]);
    out.producer = producer;
    for (const { observation, scaled } of consumers) {
      out.consumers.push(observation);
      if (scaled) out.scaled.push(scaled);
    }

    await this.prune(pipeline).catch((err: unknown) => {
      out.retry = "PruneFailed";
      this.d.log.warn(
        { err, pipeline: `${namespace}/${pipeline.metadata.name}` },
        "pruning failed",
      );
    });
    return out;
  }

  /** Deletes Deployments and Services of this pipeline that the spec no longer asks for. */
  private async prune(pipeline: StreamingPipeline): Promise<void> {
    const { namespace } = pipeline.metadata;
    const wanted = new Set([
      producerName(pipeline),
      ...pipeline.spec.consumers.map((c) => consumerName(pipeline, c)),
    ]);
    const [deployments, services] = await Promise.all([
      this.d.owned.deployments(pipeline),
      this.d.owned.services(pipeline),
    ]);
    for (const d of deployments) {
      const name = d.metadata?.name ?? "";
      if (wanted.has(name)) continue;
      await this.d.owned.deleteDeployment(namespace, name);
      await this.d.events.emit(
        pipeline,
        "Normal",
        "WorkloadRemoved",
        `deleted Deployment ${name}: no longer in the spec`,
      );
    }
    for (const s of services) {
      const name = s.metadata?.name ?? "";
      if (name !== producerName(pipeline)) await this.d.owned.deleteService(namespace, name);
    }
  }

  /** Deletion: apply topicDeletionPolicy, then let the pipeline go. Owned objects are GC'd. */
  private async finalize(
    pipeline: StreamingPipeline,
    ctx: ReconcileContext,
  ): Promise<ReconcileResult> {
    if (!hasTopicsFinalizer(pipeline)) return { outcome: "done" };
    if (pipeline.spec.topicDeletionPolicy === "Delete") {
      const others = await this.d.pipelines.list(this.d.watchNamespaces);
      const plan = topicsToDelete(pipeline, others);
      try {
        const conn = await resolveKafkaConnection(
          pipeline.spec.kafka,
          pipeline.metadata.namespace,
          this.d.kafkaRefs,
        );
        const deleted = await this.d.admins.withAdmin(conn, (admin) =>
          deleteTopics(admin, plan.delete),
        );
        const kept = plan.keep.map((k) => `${k.topic} (still declared by ${k.by})`);
        const message = [
          deleted.length > 0 ? `deleted topics ${deleted.join(", ")}` : "no topics to delete",
          ...(kept.length > 0 ? [`kept ${kept.join(", ")}`] : []),
        ].join("; ");
        await this.d.events.emit(pipeline, "Normal", "TopicsDeleted", message);
      } catch (err) {
        if (!(err instanceof KafkaUnreachableError || err instanceof KafkaConfigError)) throw err;
        await this.d.events.emit(
          pipeline,
          "Warning",
          "TopicDeletionFailed",
          `could not delete topics ${plan.delete.join(", ")}: ${err.message}; retrying in ${formatDuration(ctx.retryDelayMs)} (remove the finalizer to keep them and let the pipeline go)`,
        );
        return { outcome: "retry", reason: "TopicDeletionFailed" };
      }
    }
    await this.d.pipelines.setFinalizers(pipeline, withoutFinalizer(pipeline));
    return { outcome: "done" };
  }
}

function observeDeployment(d: V1Deployment): DeploymentObservation {
  return {
    generation: d.metadata?.generation ?? 0,
    observedGeneration: d.status?.observedGeneration ?? 0,
    replicas: d.spec?.replicas ?? 0,
    readyReplicas: d.status?.readyReplicas ?? 0,
    updatedReplicas: d.status?.updatedReplicas ?? 0,
  };
}

/**
 * What status shows of the autoscaler's latest sync for one consumer; the partition count comes
 * from this reconcile's reading when there is one (a spec change shows at once, not at the next
 * sync).
 */
function scalingObservation(
  s: ConsumerScaling,
  lag: GroupLag | undefined,
): ConsumerScalingObservation {
  const { decision, observation, health } = s;
  const rates = observation.rates;
  return {
    partitions: (lag ?? observation).partitions.length,
    ...(rates.known
      ? {
          rates: { production: rates.productionPerSecond, consumption: rates.consumptionPerSecond },
        }
      : {}),
    timeToDrainSeconds: decision.timeToDrainSeconds,
    health: { status: health.status, message: health.message },
    decision: {
      replicas: decision.replicas,
      reason: decision.reason,
      message: decision.message,
      recommendation: decision.recommendation,
      ineffectiveScaleUp: decision.ineffectiveScaleUp,
      partitionLimited: decision.partitionLimited,
    },
    decidedAt: new Date(s.at).toISOString(),
    ...(s.lastChangeAt === undefined
      ? {}
      : { lastScaleTime: new Date(s.lastChangeAt).toISOString() }),
  };
}
