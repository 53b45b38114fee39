import type { AutoscalingSpec } from "../api/types.js";
import type { GroupLag } from "../kafka/lag-reader.js";
import { type GroupHealth, groupHealth, type HealthSample } from "./health.js";
import { recordDecision, type ScaleHistory } from "./history.js";
import { DEFAULT_RATE_WINDOW_SECONDS, type LagObservation, observe } from "./observation.js";
import { defaultTuning, desiredReplicas, type PolicyTuning, type ScaleDecision } from "./policy.js";

export interface AutoscalerOptions {
  tuning?: PolicyTuning;
  /** Seconds of readings the rates are taken over (at least one sync period). */
  rateWindowSeconds?: number;
  /** Seconds of readings a group's health is judged over (at least three sync periods). */
  healthWindowSeconds?: number;
}

/** What the autoscaler made of one consumer at its latest sync. */
export interface ConsumerScaling {
  decision: ScaleDecision;
  observation: LagObservation;
  health: GroupHealth;
  /** When the reading behind the decision was taken (ms since the epoch). */
  at: number;
  /** The Deployment's replicas when it was decided. */
  from: number;
  /** When the autoscaler last changed the replicas (ms), if it has since the operator started. */
  lastChangeAt?: number;
  /** Decided in this call (false: the last decision, repeated until the next sync is due). */
  fresh: boolean;
}

export interface AdviseInput {
  /** The pipeline's work-queue key (namespace/name). */
  pipelineKey: string;
  consumer: string;
  groupId: string;
  spec: AutoscalingSpec;
  /** This reconcile's reading of the group; undefined when Kafka could not be read. */
  lag: GroupLag | undefined;
  /** The Deployment's replicas as last applied. */
  currentReplicas: number;
  /** A replay owns the group. */
  paused: boolean;
}

interface GroupState {
  groupId: string;
  syncPeriodSeconds: number;
  samples: HealthSample[];
  history: ScaleHistory;
  last?: Omit<ConsumerScaling, "fresh">;
}

/** A reading this much early still counts as due, so a timer firing on time is never skipped. */
const DUE_SLACK = 0.05;
const MAX_SAMPLES = 1000;

/**
 * The operator's memory of each autoscaled consumer group: a bounded window of readings taken
 * once per sync period, and the policy's history. Each reconcile hands it the reading it made;
 * when a sync is due the reading joins the window and the pure policy (policy.ts) decides anew,
 * otherwise the last decision stands. Nothing here touches Kafka or the API server: the reconcile
 * reads, and applies what is decided, like any other desired state.
 */
export class Autoscaler {
  private readonly groups = new Map<string, GroupState>();
  private readonly tuning: PolicyTuning;

  constructor(private readonly options: AutoscalerOptions = {}) {
    this.tuning = options.tuning ?? defaultTuning;
  }

  advise(input: AdviseInput): ConsumerScaling | undefined {
    const key = groupKey(input.pipelineKey, input.consumer);
    let state = this.groups.get(key);
    if (!state || state.groupId !== input.groupId) {
      state = {
        groupId: input.groupId,
        syncPeriodSeconds: 0,
        samples: [],
        history: { recommendations: [] },
      };
      this.groups.set(key, state);
    }
    const spec = input.spec;
    state.syncPeriodSeconds = spec.syncPeriodSeconds;
    const { lag } = input;
    const newest = state.samples.at(-1);
    const due =
      lag !== undefined &&
      (!newest ||
        lag.observedAt >= newest.observedAt + spec.syncPeriodSeconds * 1000 * (1 - DUE_SLACK));
    if (!due) return state.last && { ...state.last, fresh: false };

    state.samples.push({
      observedAt: lag.observedAt,
      partitions: lag.partitions,
      members: lag.members,
      state: lag.state,
    });
    const keepMs = this.keepSeconds(spec) * 1000;
    state.samples = state.samples
      .filter((s) => s.observedAt >= lag.observedAt - keepMs)
      .slice(-MAX_SAMPLES);

    // A fresh start (or a new group) knows no past recommendations: count the replicas the
    // consumer runs as recommended just now, so a restarted operator waits out a whole
    // stabilization window before scaling down instead of trusting one reading.
    if (state.history.recommendations.length === 0 && !state.history.lastChange) {
      state.history = {
        ...state.history,
        recommendations: [
          { at: lag.observedAt, replicas: input.currentReplicas, catchingUp: false },
        ],
      };
    }
    const observation = observe(state.samples, {
      currentReplicas: input.currentReplicas,
      syncPeriodSeconds: spec.syncPeriodSeconds,
      rateWindowSeconds: this.options.rateWindowSeconds ?? DEFAULT_RATE_WINDOW_SECONDS,
      paused: input.paused,
    });
    if (!observation) return undefined;
    const decision = desiredReplicas(observation, spec, state.history, this.tuning);
    if (!input.paused) {
      state.history = recordDecision(state.history, observation, decision, spec);
    }
    state.last = {
      decision,
      observation,
      health: groupHealth(state.samples, this.healthWindowSeconds(spec)),
      at: lag.observedAt,
      from: input.currentReplicas,
      ...(state.history.lastChange ? { lastChangeAt: state.history.lastChange.at } : {}),
    };
    return { ...state.last, fresh: true };
  }

  /**
   * Milliseconds until the next reading of an autoscaled consumer of the pipeline is due; undefined
   * when none has a reading yet (the first comes with the next reconcile, whatever causes it).
   */
  nextDueMs(pipelineKey: string, now: number): number | undefined {
    let soonest: number | undefined;
    for (const [key, state] of this.groups) {
      const newest = state.samples.at(-1);
      if (!newest || !key.startsWith(`${pipelineKey}\n`)) continue;
      const due = newest.observedAt + state.syncPeriodSeconds * 1000 - now;
      soonest = soonest === undefined ? due : Math.min(soonest, due);
    }
    return soonest === undefined ? undefined : Math.max(0, soonest);
  }

  /**
   * Forgets a consumer's readings and last decision (its offsets were moved by a replay, so rates
   * across the move mean nothing); the policy's history, with its capacity estimate, stays.
   */
  resetReadings(pipelineKey: string, consumer: string): void {
    const state = this.groups.get(groupKey(pipelineKey, consumer));
    if (!state) return;
    state.samples = [];
    delete state.last;
  }

  /** Drops what it knows of a pipeline's consumers other than `keep` (all when omitted). */
  forget(pipelineKey: string, keep: ReadonlySet<string> = new Set()): void {
    for (const key of [...this.groups.keys()]) {
      const [pipeline, consumer] = key.split("\n");
      if (pipeline === pipelineKey && !keep.has(consumer ?? "")) this.groups.delete(key);
    }
  }

  private healthWindowSeconds(spec: AutoscalingSpec): number {
    return Math.max(this.options.healthWindowSeconds ?? 120, 3 * spec.syncPeriodSeconds);
  }

  private keepSeconds(spec: AutoscalingSpec): number {
    const rateWindow = Math.max(
      this.options.rateWindowSeconds ?? DEFAULT_RATE_WINDOW_SECONDS,
      spec.syncPeriodSeconds,
    );
    return Math.max(rateWindow, this.healthWindowSeconds(spec)) * 1.1 + spec.syncPeriodSeconds;
  }
}

const groupKey = (pipelineKey: string, consumer: string) => `${pipelineKey}\n${consumer}`;
