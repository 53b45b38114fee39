import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { REPLAY_ANNOTATION } from "../../operator/src/api/constants.js";
import type { StreamingPipeline } from "../../operator/src/api/types.js";
import type { AnalyticsSnapshot } from "../../workloads/src/analytics/aggregator.js";
import { eventually } from "../support/eventually.js";
import { installableChart, writeInstallValues } from "./support/chart.js";
import { Cli } from "./support/cli.js";
import { e2eConfig } from "./support/config.js";
import { condition, isReady, Kube } from "./support/kube.js";
import { onFailureDump, testNamespace } from "./support/namespaces.js";
import { analyticsFigures, sendOrders } from "./support/orders.js";
import {
  applyPipeline,
  consumer,
  examplePipeline,
  type KafkaRef,
  oneAnalyticsPod,
} from "./support/pipelines.js";

// The product as a user meets it, on any cluster (E2E_KUBECONFIG): helm install, a pipeline from
// the example, orders in and figures out, autoscaling on a backlog, a replay by annotation,
// helm test, helm uninstall. The tests run in order, like the user's day; the release lives in
// its own namespace and every other test in a namespace of its own.

const config = await e2eConfig();
const cli = new Cli(config);
const kube = new Kube(config);
const release = config.runId;
const releaseNs = `${config.runId}-system`;
const fullname = `${release}-streaming-orders`;
const strimziKafka = `${fullname}-kafka`;
const kafka: KafkaRef = config.kafkaBootstrap
  ? { bootstrapServers: config.kafkaBootstrap }
  : { name: strimziKafka, namespace: releaseNs };
const MINUTE = 60_000;
let installed = false;

afterAll(async () => {
  if (installed)
    await cli.helm(["uninstall", release, "-n", releaseNs, "--wait", "--timeout", "10m"]);
  await cli.kubectl(["delete", "namespace", releaseNs, "--ignore-not-found", "--timeout=5m"]);
});

const suffix = () => randomUUID().slice(0, 6);
const sum = (figures: AnalyticsSnapshot[], key: keyof AnalyticsSnapshot) =>
  figures.reduce((total, f) => total + Number(f[key]), 0);

function requireInstalled(): void {
  if (!installed) throw new Error("the chart is not installed (the install test failed)");
}

/** Applies a pipeline and waits until it is Ready. */
async function runPipeline(p: StreamingPipeline): Promise<StreamingPipeline> {
  await applyPipeline(cli, p);
  return kube.waitForPipeline(p.metadata.namespace, p.metadata.name, "Ready=True", isReady);
}

/** Analytics' figures once its pods together counted `orders` orders, each with its result. */
function countedFigures(namespace: string, orders: number): Promise<AnalyticsSnapshot[]> {
  return eventually(
    `analytics to count ${orders} orders with their inventory results`,
    async () => {
      const figures = await analyticsFigures(config, kube, namespace, "orders");
      const done =
        sum(figures, "total_orders") === orders && sum(figures, "processed_orders") === orders;
      return done ? figures : undefined;
    },
    5 * MINUTE,
    2000,
  );
}

describe("streaming-orders installed with helm", () => {
  it(
    "installs: the operator leads, the CRD is served, Kafka and the sample pipeline become Ready",
    async (ctx) => {
      onFailureDump(ctx, cli, config, [releaseNs]);
      const strimzi = !config.kafkaBootstrap;
      if (strimzi && !config.installStrimzi) {
        const served = await cli.kubectl(["get", "--raw", "/apis/kafka.strimzi.io/v1"]);
        expect(
          served.code,
          "no Strimzi (kafka.strimzi.io/v1): install it, or set E2E_INSTALL_STRIMZI=true",
        ).toBe(0);
      }
      const chart = await installableChart(cli, config.chart, config.installStrimzi);
      const values = await writeInstallValues(config);
      // kstatus: Deployments available, and Kafka and the sample pipeline with Ready=True.
      await cli.helmOk([
        "install",
        release,
        chart,
        "--namespace",
        releaseNs,
        "--create-namespace",
        "--values",
        values,
        "--wait=watcher",
        "--timeout",
        "15m",
      ]);
      installed = true;

      await cli.kubectlOk([
        "wait",
        "crd/streamingpipelines.streaming-orders.io",
        "--for=condition=Established",
      ]);
      if (strimzi) {
        await cli.kubectlOk([
          "-n",
          releaseNs,
          "wait",
          `kafka/${strimziKafka}`,
          "--for=condition=Ready",
          "--timeout=10m",
        ]);
      }
      const sample = await kube.waitForPipeline(
        releaseNs,
        "orders",
        "the sample pipeline Ready",
        isReady,
      );
      expect(condition(sample, "KafkaReachable")?.status).toBe("True");
      expect(sample.status?.bootstrapServers).toContain(
        config.kafkaBootstrap ?? `${strimziKafka}-kafka-bootstrap`,
      );

      const lease = await cli.getJson<{ spec: { holderIdentity: string } }>([
        "-n",
        releaseNs,
        "lease",
        `${fullname}-operator`,
      ]);
      expect(lease.spec.holderIdentity).toMatch(new RegExp(`^${fullname}-operator-`));
    },
    25 * MINUTE,
  );

  it(
    "runs the example pipeline: orders sent to the producer are counted by analytics",
    async (ctx) => {
      requireInstalled();
      const namespace = await testNamespace(ctx, cli, config, "flow", [releaseNs]);
      await runPipeline(examplePipeline(namespace, suffix(), kafka));
      if (config.imagePullPolicy) {
        // The workloads pull as the chart's image.pullPolicy says (Never where no registry exists).
        const policies = await cli.kubectlOk([
          ...["-n", namespace, "get", "deployments", "-o"],
          "jsonpath={.items[*].spec.template.spec.containers[*].imagePullPolicy}",
        ]);
        expect(new Set(policies.trim().split(/\s+/))).toEqual(new Set([config.imagePullPolicy]));
      }

      await sendOrders(config, namespace, "orders", 500, "flow");
      const figures = await countedFigures(namespace, 500);
      expect(sum(figures, "reserved_orders") + sum(figures, "failed_orders")).toBe(500);
      // About one order in ten fails to reserve stock, as in the seed system.
      expect(sum(figures, "failed_orders")).toBeGreaterThan(0);
      expect(sum(figures, "reserved_orders")).toBeGreaterThan(sum(figures, "failed_orders"));
    },
    15 * MINUTE,
  );

  it(
    "scales inventory up to the partition count on a backlog, and back down once it is worked off",
    async (ctx) => {
      requireInstalled();
      const namespace = await testNamespace(ctx, cli, config, "scale", [releaseNs]);
      const p = examplePipeline(namespace, suffix(), kafka);
      // One analytics process sees every order, so its figures show nothing lost while inventory
      // rebalances; nobody runs inventory while the backlog builds.
      oneAnalyticsPod(p);
      const inventory = consumer(p, "inventory");
      inventory.autoscaling = {
        ...inventory.autoscaling,
        enabled: false,
      } as typeof inventory.autoscaling;
      inventory.replicas = 0;
      await runPipeline(p);
      await sendOrders(config, namespace, "orders", 30_000, "backlog");

      // More replicas allowed than the 3 partitions: the partition count must be the cap.
      await cli.kubectlOk([
        "-n",
        namespace,
        "patch",
        "sp/orders",
        "--type=json",
        "-p",
        JSON.stringify([
          {
            op: "replace",
            path: `/spec/consumers/${p.spec.consumers.indexOf(inventory)}/autoscaling`,
            value: {
              enabled: true,
              minReplicas: 1,
              maxReplicas: 10,
              lagThreshold: 100,
              syncPeriodSeconds: 5,
              scaleDownStabilizationSeconds: 30,
            },
          },
        ]),
      ]);

      let most = 0;
      const track = async () => {
        most = Math.max(most, (await kube.deploymentReplicas(namespace, "orders-inventory")) ?? 0);
      };
      await eventually(
        "3 ready inventory pods",
        async () => {
          await track();
          return (await kube.readyPods(namespace, "orders", "inventory")).length === 3
            ? true
            : undefined;
        },
        5 * MINUTE,
        1000,
      );
      const scaledUp = await kube.pipeline(namespace, "orders");
      expect(scaledUp?.status?.consumers?.find((c) => c.name === "inventory")).toMatchObject({
        desiredReplicas: 3,
        partitions: 3,
      });

      await kube.waitForPipeline(
        namespace,
        "orders",
        "inventory back at 1 replica with no lag",
        (p) => {
          const c = p.status?.consumers?.find((x) => x.name === "inventory");
          return c?.lag === 0 && c.desiredReplicas === 1;
        },
        10 * MINUTE,
      );
      await track();
      await eventually(
        "one inventory pod",
        async () => {
          const pods = await kube.readyPods(namespace, "orders", "inventory");
          return pods.length === 1 ? true : undefined;
        },
        3 * MINUTE,
        2000,
      );
      expect(most).toBe(3);
      const figures = await countedFigures(namespace, 30_000);
      expect(sum(figures, "processed_orders")).toBe(30_000);
    },
    25 * MINUTE,
  );

  it(
    "replays analytics from the earliest offset on kubectl annotate and reproduces its figures",
    async (ctx) => {
      requireInstalled();
      const namespace = await testNamespace(ctx, cli, config, "replay", [releaseNs]);
      const p = examplePipeline(namespace, suffix(), kafka);
      oneAnalyticsPod(p);
      await runPipeline(p);
      await sendOrders(config, namespace, "orders", 300, "replay");
      const [before] = await countedFigures(namespace, 300);
      const [podBefore] = await kube.readyPods(namespace, "orders", "analytics");

      await cli.kubectlOk([
        "-n",
        namespace,
        "annotate",
        "sp/orders",
        `${REPLAY_ANNOTATION}=analytics:earliest`,
      ]);
      const done = await kube.waitForPipeline(
        namespace,
        "orders",
        "the replay to complete and the annotation to be removed",
        (p) =>
          p.status?.replay?.request === "analytics:earliest" &&
          p.status.replay.phase === "Completed" &&
          p.metadata.annotations?.[REPLAY_ANNOTATION] === undefined,
        10 * MINUTE,
      );
      // Every order and every inventory result is read again (transaction markers take offsets too).
      expect(done.status?.replay?.eventsToReprocess).toBeGreaterThanOrEqual(600);

      await eventually(
        "a new analytics pod",
        async () => {
          const pods = await kube.readyPods(namespace, "orders", "analytics");
          return pods.length === 1 && pods[0]?.metadata?.uid !== podBefore?.metadata?.uid
            ? true
            : undefined;
        },
        5 * MINUTE,
        2000,
      );
      const [after] = await countedFigures(namespace, 300);
      expect(after).toEqual(before);
      const events = await cli.kubectlOk([
        "-n",
        namespace,
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=orders",
        "-o",
        "custom-columns=REASON:.reason",
        "--no-headers",
      ]);
      expect(events).toMatch(/Replay/);
    },
    25 * MINUTE,
  );

  it(
    "passes helm test: orders sent to the sample pipeline are counted",
    async (ctx) => {
      requireInstalled();
      onFailureDump(ctx, cli, config, [releaseNs]);
      const result = await cli.helm([
        "test",
        release,
        "-n",
        releaseNs,
        "--logs",
        "--timeout",
        "5m",
      ]);
      expect(result.code, result.stderr + result.stdout).toBe(0);
      expect(result.stdout).toContain("PASS: analytics counted 25 new orders");
    },
    10 * MINUTE,
  );

  it(
    "uninstalls, leaving nothing of the release behind but the CRD",
    async (ctx) => {
      requireInstalled();
      onFailureDump(ctx, cli, config, [releaseNs]);
      await cli.helmOk([
        "uninstall",
        release,
        "-n",
        releaseNs,
        "--wait",
        "--cascade",
        "foreground",
        "--timeout",
        "10m",
      ]);
      installed = false;

      const selector = `app.kubernetes.io/instance=${release}`;
      const left = async (args: string[]) =>
        (await cli.kubectlOk([...args, "-o", "name"])).trim().split("\n").filter(Boolean);
      expect(
        await left([
          "-n",
          releaseNs,
          "get",
          `all,sp,cm,sa,role,rolebinding${config.kafkaBootstrap ? "" : ",kafka,kafkanodepool"}`,
          "-l",
          selector,
        ]),
      ).toEqual([]);
      expect(await left(["get", "clusterrole,clusterrolebinding", "-l", selector])).toEqual([]);
      // The sample pipeline's workloads (owned by it) and Strimzi's pods go with it.
      await eventually(
        "no pod left in the release namespace",
        async () =>
          (await left(["-n", releaseNs, "get", "pods"])).length === 0 ? true : undefined,
        5 * MINUTE,
        2000,
      );
      expect(
        await left(["-n", releaseNs, "get", "deployments,services,statefulsets,jobs"]),
      ).toEqual([]);
      expect((await cli.helmOk(["list", "-n", releaseNs, "-q"])).trim()).toBe("");
      // Helm never deletes what a chart's crds/ installed: pipelines elsewhere outlive the release.
      await cli.kubectlOk(["get", "crd/streamingpipelines.streaming-orders.io"]);
    },
    15 * MINUTE,
  );
});
