import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { GROUP, PLURAL, REPLAY_ANNOTATION, VERSION } from "../api/constants.js";
import type { ConsumerSpec, ReplayStatus, StreamingPipeline } from "../api/types.js";
import type { Autoscaler } from "../autoscale/autoscaler.js";
import type { AdminPool } from "../kafka/admin-pool.js";
import type { KafkaConnection } from "../kafka/connection.js";
import type { KubeClients } from "../kube/clients.js";
import { apiMessage, isNotFound, statusCode } from "../kube/errors.js";
import type { EventSink } from "../kube/events.js";
import type { OwnedObjects } from "../kube/owned.js";
import type { PipelineStore } from "../kube/pipelines.js";
import type { OperatorMetrics } from "../observability/metrics.js";
import { setCondition } from "../reconcile/conditions.js";
import { consumerGroupId, consumerName } from "../reconcile/names.js";
import {
  advanceReplay,
  isActive,
  REPLAY_CONDITION,
  type ReplayObservation,
  replayCondition,
  replayReplicas,
  restoreTarget,
  startReplay,
} from "./machine.js";
import { describeGroup, moveOffsets, readCommitted, readPlan } from "./offsets.js";
import {
  DEFAULT_EMPTY_GROUP_TIMEOUT_MS,
  DEFAULT_STEP_DELAY_MS,
  type ReplayOptions,
} from "./options.js";
import { acceptReplay, parseReplayAnnotation, type Refusal } from "./request.js";

export interface ReplayRunnerDeps {
  clients: KubeClients;
  pipelines: PipelineStore;
  owned: OwnedObjects;
  admins: AdminPool;
  events: EventSink;
  log: Logger;
  autoscaler: Autoscaler;
  metrics?: OperatorMetrics;
  options?: ReplayOptions;
  now?: () => Date;
}

export interface ReplayStepResult {
  /** The pipeline as last written (status and annotation changes included). */
  pipeline: StreamingPipeline;
  /** Replicas a replay holds a consumer at, by consumer name. */
  overrides: Map<string, number>;
  /** Milliseconds until the replay wants the next reconcile; undefined when none runs. */
  requeueAfterMs?: number;
}

/** Steps taken in one reconcile at most (a whole replay is about six). */
const MAX_STEPS = 8;
const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);

/**
 * Carries out `kubectl annotate sp/NAME streaming-orders.io/replay=CONSUMER:TARGET`, one step
 * per state of machine.ts, inside the pipeline's reconcile:
 *
 * - a new annotation is parsed and checked; a bad one is refused (Replay=False with the reason,
 *   a Warning Event, the annotation removed) and nothing else happens;
 * - an accepted one is recorded in status.replay, then each step is written to status before it
 *   is taken: hold the consumer at 0 (the reconcile applies it), wait for its group to be empty,
 *   move the offsets, scale back, remove the annotation;
 * - what it acts on is the phase it finds in status, and every action can be repeated safely,
 *   so an operator that stopped anywhere finishes the job on its next reconcile.
 */
export class ReplayRunner {
  private readonly moveErrors = new Map<string, string>();

  constructor(private readonly d: ReplayRunnerDeps) {}

  async step(
    pipeline: StreamingPipeline,
    conn: KafkaConnection | undefined,
  ): Promise<ReplayStepResult> {
    let p = pipeline;
    const annotation = p.metadata.annotations?.[REPLAY_ANNOTATION];
    if (annotation !== undefined && !isActive(p.status?.replay)) {
      p = await this.accept(p, annotation);
    }
    let replay = p.status?.replay;
    for (let i = 0; i < MAX_STEPS && isActive(replay); i++) {
      const consumer = p.spec.consumers.find((c) => c.name === replay?.consumer);
      p = await this.act(p, replay, conn);
      const obs = await this.observe(p, replay, consumer, conn);
      const next = advanceReplay(replay, obs, this.timeoutMs());
      if (!next) break;
      p = await this.write(p, next);
      await this.announce(p, replay, next);
      replay = next;
      // Scaling is the reconcile's to apply; the next step looks at the result.
      if (next.phase === "ScalingUp") break;
    }

    const overrides = new Map<string, number>();
    if (!isActive(replay)) return { pipeline: p, overrides };
    const consumer = p.spec.consumers.find((c) => c.name === replay?.consumer);
    const held = consumer && replayReplicas(replay, restoreTarget(replay, consumer));
    if (consumer && held !== undefined) overrides.set(consumer.name, held);
    return {
      pipeline: p,
      overrides,
      requeueAfterMs: this.d.options?.stepDelayMs ?? DEFAULT_STEP_DELAY_MS,
    };
  }

  private timeoutMs(): number {
    return this.d.options?.emptyGroupTimeoutMs ?? DEFAULT_EMPTY_GROUP_TIMEOUT_MS;
  }

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }

  /** A new request: refused with a reason, or recorded as the replay's first step. */
  private async accept(p: StreamingPipeline, annotation: string): Promise<StreamingPipeline> {
    const now = this.now();
    const parsed = parseReplayAnnotation(annotation);
    const checked = parsed.ok ? acceptReplay(p, parsed.value, now.getTime()) : parsed;
    if (!checked.ok) return this.refuse(p, annotation, checked);
    const { consumer, target } = checked.value;
    const deployment = await this.d.owned.deployment(
      p.metadata.namespace,
      consumerName(p, consumer),
    );
    const restoreReplicas =
      deployment?.spec?.replicas ??
      (consumer.autoscaling?.enabled ? consumer.autoscaling.minReplicas : consumer.replicas);
    const replay = startReplay({
      request: annotation,
      consumer: consumer.name,
      groupId: consumerGroupId(p, consumer),
      target,
      restoreReplicas,
      now: now.toISOString(),
    });
    const written = await this.write(p, replay);
    await this.d.events.emit(
      written,
      "Normal",
      "ReplayStarted",
      `replaying ${consumer.name} from ${target} (${REPLAY_ANNOTATION}=${annotation}): ${replay.message}`,
    );
    return written;
  }

  /** Says why in the Replay condition and an Event, then removes the annotation; nothing else. */
  private async refuse(
    p: StreamingPipeline,
    annotation: string,
    refusal: Refusal,
  ): Promise<StreamingPipeline> {
    const message = `refused ${REPLAY_ANNOTATION}=${JSON.stringify(annotation)}: ${refusal.message.replace(`${REPLAY_ANNOTATION}: `, "")}`;
    const conditions = setCondition(
      p.status?.conditions,
      {
        type: REPLAY_CONDITION,
        status: "False",
        reason: refusal.reason,
        message,
        observedGeneration: p.metadata.generation,
      },
      this.now().toISOString(),
    );
    const written = await this.d.pipelines.patchStatus(p, { conditions });
    await this.d.events.emit(written, "Warning", refusal.reason, message);
    // Only a consumer the pipeline has names a series: annotations are free text.
    const named = p.spec.consumers.find((c) => annotation.trim().startsWith(`${c.name}:`));
    this.count(written, named?.name ?? "unknown", "refused");
    return this.removeAnnotation(written, annotation);
  }

  /** The action of the phase the replay is in; each is safe to repeat. */
  private async act(
    p: StreamingPipeline,
    replay: ReplayStatus,
    conn: KafkaConnection | undefined,
  ): Promise<StreamingPipeline> {
    if (replay.phase === "Finishing") {
      if (p.metadata.annotations?.[REPLAY_ANNOTATION] === replay.request) {
        return this.removeAnnotation(p, replay.request);
      }
      return p;
    }
    if (replay.phase !== "MovingOffsets" || !conn) return p;
    const key = pipelineKey(p);
    const planned = replay.partitions ?? [];
    try {
      await this.d.admins.withAdmin(conn, async (admin) => {
        const topics = [...new Set(planned.map((x) => x.topic))];
        const committed = await readCommitted(admin, replay.groupId, topics);
        const now = new Map(committed.map((c) => [`${c.topic}/${c.partition}`, c.committed]));
        const behind = planned.filter((x) => now.get(`${x.topic}/${x.partition}`) !== x.after);
        if (behind.length > 0) await moveOffsets(admin, replay.groupId, behind);
      });
      this.moveErrors.delete(key);
    } catch (err) {
      this.moveErrors.set(key, apiMessage(err));
      this.d.log.warn(
        { pipeline: key, groupId: replay.groupId, error: apiMessage(err) },
        "moving offsets failed; will retry",
      );
    }
    return p;
  }

  private async observe(
    p: StreamingPipeline,
    replay: ReplayStatus,
    consumer: ConsumerSpec | undefined,
    conn: KafkaConnection | undefined,
  ): Promise<ReplayObservation> {
    const obs: ReplayObservation = {
      now: this.now().getTime(),
      consumerInSpec: consumer !== undefined,
      deploymentReplicas: consumer
        ? (await this.d.owned.deployment(p.metadata.namespace, consumerName(p, consumer)))?.spec
            ?.replicas
        : undefined,
      restoreTo: consumer ? restoreTarget(replay, consumer) : 0,
      annotationHoldsRequest: p.metadata.annotations?.[REPLAY_ANNOTATION] === replay.request,
    };
    const moveError = this.moveErrors.get(pipelineKey(p));
    if (moveError) obs.moveError = moveError;
    const needsKafka = replay.phase === "WaitingForEmptyGroup" || replay.phase === "MovingOffsets";
    if (!consumer || !conn || !needsKafka) return obs;
    try {
      await this.d.admins.withAdmin(conn, async (admin) => {
        const group = await describeGroup(admin, replay.groupId);
        obs.group = group;
        const empty = (group.state === "Empty" || group.state === "Dead") && group.members === 0;
        if (replay.phase === "WaitingForEmptyGroup" && empty) {
          obs.plan = await readPlan(
            admin,
            replay.groupId,
            consumer.topics,
            replay.target,
            consumer.offsetReset ?? "earliest",
          );
        }
        if (replay.phase === "MovingOffsets") {
          const topics = [...new Set((replay.partitions ?? []).map((x) => x.topic))];
          obs.committed = await readCommitted(admin, replay.groupId, topics);
        }
      });
    } catch (err) {
      this.d.log.warn(
        { pipeline: pipelineKey(p), groupId: replay.groupId, error: apiMessage(err) },
        "could not read the replaying group",
      );
    }
    return obs;
  }

  /** Writes the replay's new state and its condition to status (before the step is taken). */
  private write(p: StreamingPipeline, next: ReplayStatus): Promise<StreamingPipeline> {
    const conditions = setCondition(
      p.status?.conditions,
      { ...replayCondition(next), observedGeneration: p.metadata.generation },
      this.now().toISOString(),
    );
    // A merge patch merges objects: keys the new state lacks are removed explicitly.
    const cleared = Object.fromEntries(Object.keys(p.status?.replay ?? {}).map((k) => [k, null]));
    return this.d.pipelines.patchStatus(p, { replay: { ...cleared, ...next }, conditions });
  }

  /** Events and bookkeeping for a step just written. */
  private async announce(
    p: StreamingPipeline,
    before: ReplayStatus,
    next: ReplayStatus,
  ): Promise<void> {
    const key = pipelineKey(p);
    if (next.phase === "ScalingUp" && !next.failure) {
      // The offsets moved: rates across the move would be nonsense.
      this.d.autoscaler.resetReadings(key, next.consumer);
      await this.d.events.emit(p, "Normal", "ReplayOffsetsMoved", next.message);
    } else if (next.failure && !before.failure) {
      await this.d.events.emit(p, "Warning", next.failure.reason, next.message);
    }
    if (next.phase === "Completed") {
      this.d.autoscaler.resetReadings(key, next.consumer);
      this.moveErrors.delete(key);
      await this.d.events.emit(p, "Normal", "ReplayCompleted", next.message);
      this.count(p, next.consumer, "completed");
    } else if (next.phase === "Failed") {
      this.moveErrors.delete(key);
      this.count(p, next.consumer, "failed");
    }
  }

  /**
   * Removes the annotation if it still holds `value` (a JSON patch that tests it first, so a new
   * request written meanwhile is kept for later). Returns the pipeline as stored after.
   */
  private async removeAnnotation(p: StreamingPipeline, value: string): Promise<StreamingPipeline> {
    const path = `/metadata/annotations/${REPLAY_ANNOTATION.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    try {
      return (await this.d.clients.custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: p.metadata.namespace,
          plural: PLURAL,
          name: p.metadata.name,
          body: [
            { op: "test", path, value },
            { op: "remove", path },
          ],
        },
        jsonPatch,
      )) as StreamingPipeline;
    } catch (err) {
      // 422: the test failed (the annotation changed or is gone): nothing to remove.
      if (statusCode(err) !== 422 && !isNotFound(err)) throw err;
      return (await this.d.pipelines.get(p.metadata.namespace, p.metadata.name)) ?? p;
    }
  }

  private count(p: StreamingPipeline, consumer: string, result: string): void {
    this.d.metrics?.replays.inc({
      namespace: p.metadata.namespace,
      pipeline: p.metadata.name,
      consumer,
      result,
    });
  }
}

const pipelineKey = (p: StreamingPipeline) => `${p.metadata.namespace}/${p.metadata.name}`;
