import type {
  ConsumerSpec,
  OffsetReset,
  ReplayPartitionStatus,
  ReplayPhase,
  ReplayStatus,
} from "../api/types.js";
import { count, replicas } from "../autoscale/format.js";
import type { PartitionOffsets } from "../kafka/lag.js";
import type { ConditionUpdate } from "../reconcile/conditions.js";

// A replay as a pure state machine. The phase in status says what the operator is doing; the
// executor (runner.ts) writes each new phase to status before it acts on it, and acts on the
// phase it finds in status, so an operator restarted at any point picks up where it stopped:
//
//   ScalingDown ──▶ WaitingForEmptyGroup ──▶ MovingOffsets ──▶ ScalingUp ──▶ Finishing ──▶ Completed
//                          │    ▲                  │               ▲                   └──▶ Failed
//                          │    └── member joined ─┘               │
//                          └── timeout (MembersLingering) ─────────┘

/** The Replay condition's type. */
export const REPLAY_CONDITION = "Replay";

const TERMINAL = new Set<ReplayPhase>(["Completed", "Failed"]);

export function isActive(replay: ReplayStatus | undefined): replay is ReplayStatus {
  return replay !== undefined && !TERMINAL.has(replay.phase);
}

export interface StartInput {
  request: string;
  consumer: string;
  groupId: string;
  target: string;
  /** The consumer's replicas now: what it gets back. */
  restoreReplicas: number;
  now: string;
}

/** A request accepted: the first step is to stop the consumer. */
export function startReplay(input: StartInput): ReplayStatus {
  return {
    request: input.request,
    consumer: input.consumer,
    groupId: input.groupId,
    target: input.target,
    phase: "ScalingDown",
    message: `scaling ${input.consumer} from ${replicas(input.restoreReplicas)} to 0 before moving group ${input.groupId} to ${input.target}`,
    requestedAt: input.now,
    restoreReplicas: input.restoreReplicas,
  };
}

/** What the executor saw just now; only what the current phase needs is filled in. */
export interface ReplayObservation {
  /** ms since the epoch. */
  now: number;
  /** The consumer is still in the spec. */
  consumerInSpec: boolean;
  /** The consumer Deployment's spec.replicas; undefined when there is no Deployment. */
  deploymentReplicas: number | undefined;
  /** The replicas to scale back to (see restoreTarget). */
  restoreTo: number;
  /** The group as its coordinator describes it; undefined when it could not be read. */
  group?: { state: string; members: number };
  /** Offsets planned from a fresh read, when the group was found empty. */
  plan?: OffsetPlan;
  /** The group's committed offsets, read after a move. */
  committed?: ReadonlyArray<{ topic: string; partition: number; committed: number | null }>;
  /** Why the last attempt to move the offsets failed. */
  moveError?: string;
  /** The annotation still holds this replay's request. */
  annotationHoldsRequest: boolean;
}

export interface OffsetPlan {
  partitions: ReplayPartitionStatus[];
  eventsToReprocess: number;
  eventsSkipped: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isEmpty = (g: { state: string; members: number }) =>
  (g.state === "Empty" || g.state === "Dead") && g.members === 0;

/**
 * The next state of a replay given what was observed, or undefined when it must wait (the same
 * phase, nothing new to write). `timeoutMs` bounds the wait for the group to empty and for the
 * offsets to move; past it the replay gives up and scales the consumer back.
 */
export function advanceReplay(
  replay: ReplayStatus,
  obs: ReplayObservation,
  timeoutMs: number,
): ReplayStatus | undefined {
  const { consumer, groupId } = replay;
  const stopped = ["ScalingDown", "WaitingForEmptyGroup", "MovingOffsets"].includes(replay.phase);
  if (stopped && !obs.consumerInSpec) {
    return finishing(replay, {
      reason: "ConsumerRemoved",
      message: `consumer ${consumer} was removed from the spec during the replay; offsets of group ${groupId} not moved`,
    });
  }
  const waited = replay.waitingSince ? obs.now - Date.parse(replay.waitingSince) : 0;
  switch (replay.phase) {
    case "ScalingDown":
      if ((obs.deploymentReplicas ?? 0) !== 0) return undefined;
      return {
        ...replay,
        phase: "WaitingForEmptyGroup",
        waitingSince: iso(obs.now),
        message: `${consumer} is at 0 replicas; waiting for group ${groupId} to have no members`,
      };
    case "WaitingForEmptyGroup": {
      if (obs.group && isEmpty(obs.group) && obs.plan) {
        return {
          ...replay,
          phase: "MovingOffsets",
          partitions: obs.plan.partitions,
          eventsToReprocess: obs.plan.eventsToReprocess,
          eventsSkipped: obs.plan.eventsSkipped,
          message: `moving group ${groupId} to ${replay.target} on ${obs.plan.partitions.length} partitions: ${count(obs.plan.eventsToReprocess)} events to reprocess`,
        };
      }
      if (waited > timeoutMs) {
        return scalingBack(replay, obs, lingering(replay, obs, waited));
      }
      const message = obs.group
        ? `${consumer} is at 0 replicas; waiting for group ${groupId} to have no members (${membersText(obs.group)} after ${seconds(waited)})`
        : `${consumer} is at 0 replicas; cannot read group ${groupId} yet (Kafka unreachable), waiting`;
      return message === replay.message ? undefined : { ...replay, message };
    }
    case "MovingOffsets": {
      const planned = replay.partitions ?? [];
      if (obs.committed && matches(planned, obs.committed)) {
        return scalingBack(replay, obs);
      }
      if (obs.group && !isEmpty(obs.group)) {
        return {
          ...replay,
          phase: "WaitingForEmptyGroup",
          message: `a member joined group ${groupId} before its offsets moved (${membersText(obs.group)}); waiting for it to leave`,
        };
      }
      if (waited > timeoutMs) {
        return scalingBack(replay, obs, {
          reason: "OffsetMoveFailed",
          message: `could not move group ${groupId} to ${replay.target} within ${seconds(timeoutMs)}: ${obs.moveError ?? "the committed offsets never matched the plan"}`,
        });
      }
      return undefined;
    }
    case "ScalingUp":
      if (obs.deploymentReplicas !== undefined && obs.deploymentReplicas !== obs.restoreTo) {
        return undefined;
      }
      return {
        ...replay,
        phase: "Finishing",
        message: `${consumer} is back at ${replicas(obs.restoreTo)}; removing the annotation`,
      };
    case "Finishing":
      if (obs.annotationHoldsRequest) return undefined;
      return replay.failure
        ? {
            ...replay,
            phase: "Failed",
            completedAt: iso(obs.now),
            message: replay.failure.message,
          }
        : {
            ...replay,
            phase: "Completed",
            completedAt: iso(obs.now),
            message: `replayed ${consumer} from ${replay.target}: group ${groupId} moved on ${(replay.partitions ?? []).length} partitions, ${count(replay.eventsToReprocess ?? 0)} events to reprocess${skippedText(replay)}; back at ${replicas(obs.restoreTo)}`,
          };
    case "Completed":
    case "Failed":
      return undefined;
  }
}

function scalingBack(
  replay: ReplayStatus,
  obs: ReplayObservation,
  failure?: { reason: string; message: string },
): ReplayStatus {
  const back = `scaling ${replay.consumer} back to ${replicas(obs.restoreTo)}`;
  return {
    ...replay,
    phase: "ScalingUp",
    ...(failure ? { failure } : {}),
    message: failure
      ? `${failure.message}; ${back}`
      : `moved group ${replay.groupId} to ${replay.target}: ${count(replay.eventsToReprocess ?? 0)} events to reprocess${skippedText(replay)}; ${back}`,
  };
}

function finishing(replay: ReplayStatus, failure: { reason: string; message: string }) {
  return { ...replay, phase: "Finishing" as const, failure, message: failure.message };
}

function lingering(replay: ReplayStatus, obs: ReplayObservation, waited: number) {
  if (!obs.group) {
    return {
      reason: "GroupUnreadable",
      message: `could not read group ${replay.groupId} for ${seconds(waited)} (Kafka unreachable); offsets not moved`,
    };
  }
  return {
    reason: "MembersLingering",
    message: `group ${replay.groupId} still has ${membersText(obs.group)} ${seconds(waited)} after ${replay.consumer} was scaled to 0 (another deployment or a stuck pod consumes with the same group id?); offsets not moved`,
  };
}

function matches(
  planned: readonly ReplayPartitionStatus[],
  committed: ReadonlyArray<{ topic: string; partition: number; committed: number | null }>,
): boolean {
  const now = new Map(committed.map((c) => [`${c.topic}/${c.partition}`, c.committed]));
  return planned.every((p) => now.get(`${p.topic}/${p.partition}`) === p.after);
}

const membersText = (g: { state: string; members: number }) =>
  `${g.members} ${g.members === 1 ? "member" : "members"}, state ${g.state}`;
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const skippedText = (r: ReplayStatus) =>
  r.eventsSkipped ? `, ${count(r.eventsSkipped)} skipped` : "";

/**
 * The replicas a replay holds its consumer at: none while the group must stay empty, the
 * restored count while scaling back; undefined once it is over (the autoscaler or the spec rule).
 */
export function replayReplicas(
  replay: ReplayStatus | undefined,
  restoreTo: number,
): number | undefined {
  if (!isActive(replay)) return undefined;
  return replay.phase === "ScalingUp" || replay.phase === "Finishing" ? restoreTo : 0;
}

/** What the consumer is scaled back to: the replicas it had (within the autoscaling bounds), or
 *  the spec's replicas when it does not autoscale. */
export function restoreTarget(replay: ReplayStatus, consumer: ConsumerSpec): number {
  const scaling = consumer.autoscaling;
  if (!scaling?.enabled) return consumer.replicas;
  return Math.min(scaling.maxReplicas, Math.max(scaling.minReplicas, replay.restoreReplicas));
}

/** The Replay condition for a replay's state. */
export function replayCondition(replay: ReplayStatus): ConditionUpdate {
  const type = REPLAY_CONDITION;
  switch (replay.phase) {
    case "Completed":
      return { type, status: "True", reason: "ReplayCompleted", message: replay.message };
    case "Failed":
      return {
        type,
        status: "False",
        reason: replay.failure?.reason ?? "ReplayFailed",
        message: replay.message,
      };
    default:
      // In progress: neither succeeded nor failed yet.
      return {
        type,
        status: "Unknown",
        reason: replay.failure ? replay.failure.reason : replay.phase,
        message: `replaying ${replay.consumer} from ${replay.target}: ${replay.message}`,
      };
  }
}

/**
 * Where each partition's committed offset goes, and how many events that makes the group read
 * again (or skip). A partition's position is its committed offset, or where the reset policy
 * starts a group that never committed; positions and targets stay within the log (what retention
 * deleted cannot be read). `byTime` holds, for a time target, the first offset at or after it
 * per `topic/partition` (Kafka answers the log end when no event is that recent).
 */
export function planOffsets(
  target: string,
  partitions: readonly PartitionOffsets[],
  reset: OffsetReset,
  byTime: ReadonlyMap<string, number> = new Map(),
): OffsetPlan {
  let eventsToReprocess = 0;
  let eventsSkipped = 0;
  const planned = partitions.map((p): ReplayPartitionStatus => {
    const clamp = (offset: number) => Math.min(p.logEnd, Math.max(p.logStart, offset));
    const after =
      target === "earliest"
        ? p.logStart
        : target === "latest"
          ? p.logEnd
          : clamp(byTime.get(`${p.topic}/${p.partition}`) ?? p.logEnd);
    const position =
      p.committed === null ? (reset === "earliest" ? p.logStart : p.logEnd) : clamp(p.committed);
    eventsToReprocess += Math.max(0, position - after);
    eventsSkipped += Math.max(0, after - position);
    return { topic: p.topic, partition: p.partition, before: p.committed, after };
  });
  return { partitions: planned, eventsToReprocess, eventsSkipped };
}
