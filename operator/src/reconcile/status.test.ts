import { describe, expect, it } from "vitest";
import type { Condition } from "../api/types.js";
import { pipeline } from "../testing/pipeline-factory.js";
import { findCondition } from "./conditions.js";
import type { ObservedTopic, TopicPlan } from "./desired-topics.js";
import {
  type ConsumerScalingObservation,
  computeStatus,
  type DeploymentObservation,
  type Observations,
  type WorkloadObservation,
} from "./status.js";

const now = "2026-01-01T00:10:00Z";
const earlier = "2026-01-01T00:00:00Z";
const noPlan: TopicPlan = {
  create: [],
  grow: [],
  correctConfig: [],
  refusedShrink: [],
  replicationMismatch: [],
};

function topic(name: string, partitions = 3): ObservedTopic {
  return { name, partitions, replicationFactor: 1, overrides: {} };
}

function deployment(ready: number, replicas = 1, rolledOut = true): DeploymentObservation {
  return {
    generation: 2,
    observedGeneration: rolledOut ? 2 : 1,
    replicas,
    readyReplicas: ready,
    updatedReplicas: rolledOut ? replicas : 0,
  };
}

function workload(component: string, d: DeploymentObservation | undefined): WorkloadObservation {
  return { component, desiredReplicas: d?.replicas ?? 1, ...(d ? { deployment: d } : {}) };
}

/** Everything healthy: the seed pipeline on a reachable Kafka with every pod ready. */
function healthy(): Observations {
  return {
    kafka: { reachable: true, bootstrapServers: "kafka.example:9092", brokers: 1 },
    topics: {
      observed: true,
      topics: [topic("order-events"), topic("inventory-events")],
      remaining: noPlan,
      errors: [],
    },
    producer: workload("producer", deployment(1)),
    consumers: [
      { ...workload("inventory", deployment(2, 2)), groupId: "inventory-group", lag: 10 },
      { ...workload("analytics", deployment(1)), groupId: "analytics-group", lag: 5 },
    ],
  };
}

function conditionsOf(obs: Observations, p = pipeline({}, { generation: 4 })) {
  const status = computeStatus(p, obs, now);
  const get = (type: string) => findCondition(status.conditions, type);
  return { status, get };
}

describe("computeStatus", () => {
  it("is Ready with every condition True when Kafka, topics and workloads are", () => {
    const { status, get } = conditionsOf(healthy());
    expect(status.observedGeneration).toBe(4);
    for (const type of ["Ready", "KafkaReachable", "TopicsReady", "WorkloadsReady"]) {
      expect(get(type)).toMatchObject({
        status: "True",
        observedGeneration: 4,
        lastTransitionTime: now,
      });
    }
    expect(get("KafkaReachable")?.message).toBe("connected to kafka.example:9092 (1 broker)");
    expect(get("WorkloadsReady")?.message).toBe(
      "ready: producer 1/1, inventory 2/2, analytics 1/1",
    );
  });

  it("reports per-topic partitions, per-consumer replicas and lag, and the printer summaries", () => {
    const { status } = conditionsOf(healthy());
    expect(status.topics).toEqual([
      { name: "order-events", partitions: 3, replicationFactor: 1 },
      { name: "inventory-events", partitions: 3, replicationFactor: 1 },
    ]);
    expect(status.consumers).toEqual([
      {
        name: "inventory",
        groupId: "inventory-group",
        desiredReplicas: 2,
        readyReplicas: 2,
        lag: 10,
      },
      {
        name: "analytics",
        groupId: "analytics-group",
        desiredReplicas: 1,
        readyReplicas: 1,
        lag: 5,
      },
    ]);
    expect(status.producer).toEqual({ desiredReplicas: 1, readyReplicas: 1 });
    expect(status.totalLag).toBe(15);
    expect(status.summary).toEqual({
      topics: "order-events:3 inventory-events:3",
      replicas: "producer 1/1, inventory 2/2, analytics 1/1",
    });
  });

  it("says WorkloadsReady=False (ReplicasNotReady) and names who waits when pods are not ready", () => {
    const obs = healthy();
    obs.producer = workload("producer", deployment(0));
    const { get } = conditionsOf(obs);
    expect(get("WorkloadsReady")).toMatchObject({
      status: "False",
      reason: "ReplicasNotReady",
      message: "waiting for ready replicas: producer 0/1",
    });
    expect(get("Ready")).toMatchObject({
      status: "False",
      reason: "WorkloadsNotReady",
      message: "WorkloadsReady: waiting for ready replicas: producer 0/1",
    });
    expect(get("TopicsReady")?.status).toBe("True");
  });

  it("says RollingOut while the Deployment controller has not seen the new generation", () => {
    const obs = healthy();
    obs.producer = workload("producer", deployment(1, 1, false));
    expect(conditionsOf(obs).get("WorkloadsReady")?.reason).toBe("RollingOut");
  });

  it("reports a workload that could not be applied", () => {
    const obs = healthy();
    obs.producer = { component: "producer", desiredReplicas: 1, applyError: "forbidden" };
    expect(conditionsOf(obs).get("WorkloadsReady")).toMatchObject({
      status: "False",
      reason: "ApplyFailed",
      message: "producer: forbidden",
    });
  });

  it("says Kafka is unreachable with the address and error, topics Unknown, and keeps the last topics", () => {
    const previous = pipeline({}, { generation: 4 });
    previous.status = { topics: [{ name: "order-events", partitions: 3, replicationFactor: 1 }] };
    const obs: Observations = {
      ...healthy(),
      kafka: {
        reachable: false,
        bootstrapServers: "127.0.0.1:1",
        reason: "KafkaUnreachable",
        message: "could not connect to 127.0.0.1:1 (ECONNREFUSED); retrying in 2s",
      },
      topics: { observed: false },
    };
    const { status, get } = conditionsOf(obs, previous);
    expect(get("KafkaReachable")).toMatchObject({
      status: "False",
      reason: "KafkaUnreachable",
      message: "could not connect to 127.0.0.1:1 (ECONNREFUSED); retrying in 2s",
    });
    expect(get("TopicsReady")).toMatchObject({ status: "Unknown", reason: "KafkaUnreachable" });
    expect(get("Ready")).toMatchObject({ status: "False", reason: "KafkaUnreachable" });
    expect(status.topics).toEqual(previous.status.topics);
    expect(status.bootstrapServers).toBe("127.0.0.1:1");
  });

  it.each([
    {
      case: "a refused partition decrease",
      remaining: { ...noPlan, refusedShrink: [{ name: "order-events", have: 6, want: 3 }] },
      reason: "PartitionDecreaseRefused",
      message:
        "topic order-events has 6 partitions but the spec asks for 3: Kafka cannot remove partitions, set partitions to 6 or more",
    },
    {
      case: "a replication factor it cannot change",
      remaining: { ...noPlan, replicationMismatch: [{ name: "order-events", have: 1, want: 3 }] },
      reason: "ReplicationFactorMismatch",
      message:
        "topic order-events has replication factor 1 but the spec asks for 3: changing it needs a partition reassignment, which the operator does not do",
    },
  ])("says TopicsReady=False for $case", ({ remaining, reason, message }) => {
    const obs = healthy();
    obs.topics = { observed: true, topics: [topic("order-events", 6)], remaining, errors: [] };
    const { get } = conditionsOf(obs);
    expect(get("TopicsReady")).toMatchObject({ status: "False", reason, message });
    expect(get("Ready")).toMatchObject({ status: "False", reason: "TopicsNotReady" });
  });

  it("reports topic admin errors", () => {
    const obs = healthy();
    obs.topics = {
      observed: true,
      topics: [],
      remaining: noPlan,
      errors: ["creating order-events: Replication factor: 3 larger than available brokers: 1"],
    };
    expect(conditionsOf(obs).get("TopicsReady")).toMatchObject({
      status: "False",
      reason: "TopicAdminFailed",
    });
  });

  it("keeps lastTransitionTime and other condition types across reconciles", () => {
    const p = pipeline({}, { generation: 4 });
    const scaling: Condition = {
      type: "Scaling",
      status: "True",
      reason: "Stable",
      message: "x",
      lastTransitionTime: earlier,
    };
    p.status = {
      conditions: [
        scaling,
        {
          type: "Ready",
          status: "True",
          reason: "PipelineReady",
          message: "old",
          lastTransitionTime: earlier,
          observedGeneration: 3,
        },
      ],
    };
    const { status, get } = conditionsOf(healthy(), p);
    expect(get("Ready")).toMatchObject({ lastTransitionTime: earlier, observedGeneration: 4 });
    expect(get("Scaling")).toEqual(scaling);
    expect(status.conditions?.map((c) => c.type)).toEqual([
      "Scaling",
      "Ready",
      "KafkaReachable",
      "TopicsReady",
      "WorkloadsReady",
    ]);
  });

  it("is the same status when nothing changed (so no write happens)", () => {
    const p = pipeline({}, { generation: 4 });
    p.status = computeStatus(p, healthy(), earlier);
    expect(computeStatus(p, healthy(), now)).toEqual(p.status);
  });

  describe("autoscaled consumers", () => {
    function scaling(partial: Partial<ConsumerScalingObservation["decision"]> = {}) {
      const observed: ConsumerScalingObservation = {
        partitions: 3,
        rates: { production: 1234.56, consumption: 987.04 },
        timeToDrainSeconds: 41.6,
        health: { status: "WARN", message: "lag grew" },
        decision: {
          replicas: 2,
          reason: "ScaledUpForBacklog",
          message: "lag 12,000 ...",
          recommendation: 2,
          ineffectiveScaleUp: false,
          partitionLimited: false,
          ...partial,
        },
        decidedAt: now,
        lastScaleTime: earlier,
      };
      return observed;
    }

    function withScaling(
      inventory?: ConsumerScalingObservation,
      analytics?: ConsumerScalingObservation,
    ) {
      const obs = healthy();
      const [inv, ana] = obs.consumers;
      if (inv && inventory) inv.scaling = inventory;
      if (ana && analytics) ana.scaling = analytics;
      return obs;
    }

    it("reports lag, rates, time to drain, health and the last decision per consumer", () => {
      const { status } = conditionsOf(withScaling(scaling()));
      expect(status.consumers?.[0]).toEqual({
        name: "inventory",
        groupId: "inventory-group",
        desiredReplicas: 2,
        readyReplicas: 2,
        lag: 10,
        partitions: 3,
        productionRate: 1234.6,
        consumptionRate: 987,
        timeToDrainSeconds: 42,
        health: "WARN",
        healthMessage: "lag grew",
        lastDecision: {
          reason: "ScaledUpForBacklog",
          message: "lag 12,000 ...",
          time: now,
          recommendation: 2,
        },
        lastScaleTime: earlier,
      });
    });

    it("leaves out rates and time to drain while they are unknown", () => {
      const observed = scaling();
      delete observed.rates;
      observed.timeToDrainSeconds = null;
      const consumer = conditionsOf(withScaling(observed)).status.consumers?.[0];
      expect(consumer).not.toHaveProperty("productionRate");
      expect(consumer).not.toHaveProperty("timeToDrainSeconds");
    });

    it("says Scaling=True with each consumer's replicas and reason", () => {
      const { get } = conditionsOf(
        withScaling(scaling(), scaling({ replicas: 1, reason: "Steady" })),
      );
      expect(get("Scaling")).toMatchObject({
        status: "True",
        reason: "ScalingActive",
        message: "inventory 2 replicas (ScaledUpForBacklog), analytics 1 replica (Steady)",
        observedGeneration: 4,
      });
    });

    it.each([
      {
        flag: { partitionLimited: true, replicas: 3 },
        reason: "PartitionLimited",
        message:
          "inventory: 3 replicas on 3 partitions and still falling behind; only more partitions would help (lag 12,000 ...)",
      },
      {
        flag: { ineffectiveScaleUp: true },
        reason: "IneffectiveScaleUp",
        message:
          "inventory: the last scale-up did not raise consumption; the bottleneck is elsewhere (lag 12,000 ...)",
      },
    ])("says Scaling=False ($reason) and flags it on the consumer", ({ flag, reason, message }) => {
      const { status, get } = conditionsOf(withScaling(scaling(flag)));
      expect(get("Scaling")).toMatchObject({ status: "False", reason, message });
      expect(status.consumers?.[0]?.lastDecision).toMatchObject(
        "partitionLimited" in flag ? { partitionLimited: true } : { ineffectiveScaleUp: true },
      );
      // Scaling is about the autoscaler: the pipeline stays Ready.
      expect(get("Ready")?.status).toBe("True");
    });

    it("keeps an unchanged decision's time, the last rates and the last scale time across a restart", () => {
      const p = pipeline({}, { generation: 4 });
      const first = scaling();
      first.decidedAt = earlier;
      p.status = computeStatus(p, withScaling(first), earlier);
      // After a restart: the same decision, made now, without rates or a scale to remember yet.
      const restarted = scaling();
      delete restarted.rates;
      delete restarted.lastScaleTime;
      const status = computeStatus(p, withScaling(restarted), now);
      expect(status).toEqual(p.status);
      expect(status.consumers?.[0]?.lastDecision?.time).toBe(earlier);

      const changed = scaling({ reason: "Steady", message: "lag 0" });
      expect(computeStatus(p, withScaling(changed), now).consumers?.[0]?.lastDecision?.time).toBe(
        now,
      );
    });

    it("keeps the Scaling condition while nothing was measured, and drops it once no consumer autoscales", () => {
      const p = pipeline({}, { generation: 4 });
      p.status = computeStatus(p, withScaling(scaling()), earlier);
      expect(findCondition(computeStatus(p, healthy(), now).conditions, "Scaling")).toMatchObject({
        status: "True",
        lastTransitionTime: earlier,
      });
      for (const c of p.spec.consumers) delete c.autoscaling;
      expect(findCondition(computeStatus(p, healthy(), now).conditions, "Scaling")).toBeUndefined();
    });
  });
});
