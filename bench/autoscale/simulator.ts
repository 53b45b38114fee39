import { roundRobinGroups } from "../../operator/src/autoscale/assignment.js";
import type { PartitionLag } from "../../operator/src/kafka/lag.js";
import type { Scenario } from "./scenarios.js";

// A consumer group in one-second steps: the scenario writes events, each member works through its
// round-robin share of the partitions at a fixed rate, and a controller looks at the offsets every
// sync period and sets the Deployment's replicas. Every change stops the whole group for a
// rebalance (kafkajs rebalances eagerly: all members give up their partitions, then rejoin).

export interface ConsumerModel {
  /** Events/s one replica works through while it has a backlog. */
  perReplica: number;
  /** Seconds after a change of replicas in which the group consumes nothing (pods start, rejoin). */
  rebalanceSeconds: number;
}

/** What a controller reads at a sync: the group's offsets, as the lag reader returns them. */
export interface GroupReading {
  /** ms since the start of the run. */
  at: number;
  partitions: PartitionLag[];
  /** Members of the group (one per pod). */
  members: number;
  /** The Deployment's replicas. */
  replicas: number;
}

/** Decides replicas from readings; keeps whatever state it needs between syncs. */
export interface ReplicaController {
  syncPeriodSeconds: number;
  sync(reading: GroupReading): number;
}

export interface TracePoint {
  /** End of the second (s). */
  t: number;
  /** Events waiting, summed over partitions. */
  lag: number;
  /** The Deployment's replicas during the second. */
  replicas: number;
}

export interface ScalingChange {
  t: number;
  from: number;
  to: number;
}

export interface Trace {
  points: TracePoint[];
  changes: ScalingChange[];
}

export interface RunOptions {
  initialReplicas: number;
  /** The controller's first sync, in seconds (its phase against the scenario). */
  firstSyncSeconds?: number;
}

const TOPIC = "orders";

/**
 * Shares `capacity` events among partitions with backlog, equally, handing what a small backlog
 * leaves over to the others (a consumer fetches from all its partitions at once). Returns what
 * each partition gets.
 */
export function shareCapacity(capacity: number, lags: readonly number[]): number[] {
  const taken = lags.map(() => 0);
  const order = lags.map((lag, i) => ({ lag, i })).sort((a, b) => a.lag - b.lag);
  let left = capacity;
  order.forEach(({ lag, i }, k) => {
    const share = left / (order.length - k);
    const take = Math.min(lag, share);
    taken[i] = take;
    left -= take;
  });
  return taken;
}

export function simulate(
  scenario: Scenario,
  controller: ReplicaController,
  consumer: ConsumerModel,
  options: RunOptions,
): Trace {
  const logEnd = Array.from({ length: scenario.partitions }, () => 0);
  const committed = Array.from({ length: scenario.partitions }, () => 0);
  const firstSync = options.firstSyncSeconds ?? 0;
  let replicas = options.initialReplicas;
  let consumingFrom = 0;
  const points: TracePoint[] = [];
  const changes: ScalingChange[] = [];

  for (let t = 0; t < scenario.durationSeconds; t++) {
    if (t >= firstSync && (t - firstSync) % controller.syncPeriodSeconds === 0) {
      const wanted = controller.sync({
        at: t * 1000,
        partitions: logEnd.map((end, i) => ({
          topic: TOPIC,
          partition: i,
          logStart: 0,
          logEnd: end,
          committed: committed[i] ?? 0,
          lag: end - (committed[i] ?? 0),
        })),
        members: replicas,
        replicas,
      });
      if (wanted !== replicas) {
        changes.push({ t, from: replicas, to: wanted });
        replicas = wanted;
        consumingFrom = t + consumer.rebalanceSeconds;
      }
    }
    for (let p = 0; p < scenario.partitions; p++) {
      logEnd[p] = (logEnd[p] ?? 0) + scenario.produced(t, p);
    }
    if (t >= consumingFrom) {
      for (const member of roundRobinGroups(scenario.partitions, replicas)) {
        const lags = member.map((p) => (logEnd[p] ?? 0) - (committed[p] ?? 0));
        shareCapacity(consumer.perReplica, lags).forEach((take, k) => {
          const p = member[k] as number;
          committed[p] = (committed[p] ?? 0) + take;
        });
      }
    }
    const lag = logEnd.reduce((sum, end, p) => sum + end - (committed[p] ?? 0), 0);
    points.push({ t: t + 1, lag, replicas });
  }
  return { points, changes };
}
