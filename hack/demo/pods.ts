import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { Kafka, logLevel } from "kafkajs";
import type { Logger } from "pino";
import { pipelineTopics } from "../../operator/src/reconcile/desired-topics.js";
import { consumerGroupId } from "../../operator/src/reconcile/names.js";
import type { AnalyticsSnapshot } from "../../workloads/src/analytics/aggregator.js";
import { chartCopy } from "../chart-copy.js";
import {
  applyPipeline,
  deletePipeline,
  examplePipeline,
  type PipelineApi,
  pipelineApi,
  pipelineDeployments,
  waitForPipeline,
} from "../pipeline-api.js";
import { type ActContext, backlogAct, replayAct } from "./acts.js";
import { helm, kubectl } from "./cli.js";
import { deploymentRole } from "./deployment-env.js";
import { countedAll, type Figures, sumFigures } from "./figures.js";
import { lagProbes } from "./lag-sampler.js";
import type { DemoOptions } from "./processes.js";
import {
  conditionTable,
  ordersBar,
  showChart,
  throughputLine,
  topicTable,
  write,
} from "./report.js";
import { Sampler } from "./sampler.js";
import { sendOrders } from "./send-orders.js";
import { type Stack, stackDown, stackUp } from "./stack.js";

// The main job as a user sees it (DEMO_MODE=pods, root): on the local stack that the end-to-end
// suite uses too (hack/local-stack.sh: the cluster with its node, Kafka for pods, the image), the
// chart is installed with helm in kafka.mode external, the operator runs in a pod and turns
// examples/pipeline.yaml into topics, Deployments and a Service whose pods run the workloads.
// Orders go to the producer Service's ClusterIP (this machine routes Service and pod addresses
// over the node link), the analytics pods' figures are read from their pod IPs, and each group's
// lag and each consumer Deployment's ready replicas are sampled while it all runs.
const RELEASE = "streaming-orders-demo";

const phase = (p: V1Pod) => p.status?.phase;
const ready = (p: V1Pod) =>
  p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

async function installChart(stack: Stack, namespace: string, log: Logger): Promise<void> {
  const at = stack.image.lastIndexOf(":");
  const values = {
    image: {
      repository: stack.image.slice(0, at),
      tag: stack.image.slice(at + 1),
      pullPolicy: "Never",
    },
    operator: { watchNamespaces: [namespace] },
    kafka: { mode: "external", external: { bootstrapServers: stack.podBootstrap } },
  };
  const { dir: chart } = await chartCopy("streaming-orders-demo-", true);
  const valuesFile = join(chart, "..", "demo-values.yaml");
  await writeFile(valuesFile, yaml.dump(values));
  log.info({ release: RELEASE, namespace, image: stack.image }, "helm upgrade --install");
  try {
    await kubectl(stack.kubeconfig, "create", "namespace", namespace).catch(() => "");
    await helm(
      stack.kubeconfig,
      "upgrade",
      "--install",
      RELEASE,
      chart,
      "--namespace",
      namespace,
      "--values",
      valuesFile,
      "--wait",
      "--timeout",
      "5m",
    );
  } finally {
    await rm(join(chart, ".."), { recursive: true, force: true });
  }
}

async function pods(kube: PipelineApi, namespace: string, selector: string): Promise<V1Pod[]> {
  const list = await kube.core.listNamespacedPod({ namespace, labelSelector: selector });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** Every analytics pod's figures (GET /metrics.json on its pod IP), added up. */
async function analyticsFigures(kube: PipelineApi, namespace: string, pipeline: string) {
  const all = await pods(
    kube,
    namespace,
    `app.kubernetes.io/instance=${pipeline},app.kubernetes.io/component=analytics`,
  );
  const snapshots = await Promise.all(
    all.filter(ready).map(async (p) => {
      const port = p.spec?.containers[0]?.ports?.[0]?.containerPort ?? 8202;
      const response = await fetch(`http://${p.status?.podIP}:${port}/metrics.json`, {
        signal: AbortSignal.timeout(5000),
      });
      return (await response.json()) as AnalyticsSnapshot;
    }),
  );
  return sumFigures(snapshots);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function podsDemo({
  orders,
  backlog,
  namespace,
  outDir,
  log,
}: DemoOptions): Promise<void> {
  await mkdir(outDir, { recursive: true });
  log.info(
    "bringing up the local stack: the cluster with its node, Kafka, the image (reused when up)",
  );
  const stack = await stackUp();
  const kube = pipelineApi(stack.kubeconfig);
  const admin = new Kafka({ brokers: [stack.bootstrap], logLevel: logLevel.NOTHING }).admin();
  const get = (...args: string[]) => kubectl(stack.kubeconfig, ...args);
  let installed = false;
  let pipelineName: string | undefined;
  try {
    await admin.connect();
    await installChart(stack, namespace, log);
    installed = true;

    const pipeline = await examplePipeline(namespace, stack.podBootstrap);
    const name = pipeline.metadata.name;
    pipelineName = name;
    // One analytics pod: each pod dedupes only what it saw, so figures summed over pods can count
    // an event twice across a rebalance; with one the sum is exact and a replay must match it.
    const analytics = pipeline.spec.consumers.find((c) => c.role === "analytics");
    if (analytics?.autoscaling) analytics.autoscaling.maxReplicas = 1;
    // A clean slate: the demo's pipeline, topics and groups start empty on every run.
    await deletePipeline(kube, namespace, name);
    const topics = pipelineTopics(pipeline.spec).map((t) => t.name);
    const stale = (await admin.listTopics()).filter((t) => topics.includes(t));
    if (stale.length) await admin.deleteTopics({ topics: stale });
    const groups = pipeline.spec.consumers.map((c) => ({
      groupId: consumerGroupId(pipeline, c),
      topics: c.topics,
    }));
    await admin.deleteGroups(groups.map((g) => g.groupId)).catch(() => undefined);

    log.info(
      { namespace, pipeline: name },
      "applying examples/pipeline.yaml (analytics at most 1 replica, so its figures are exact)",
    );
    await applyPipeline(kube, pipeline);
    const reconciled = await waitForPipeline(
      kube,
      namespace,
      name,
      "the pipeline to be Ready",
      (p) =>
        p.status?.observedGeneration === p.metadata.generation &&
        p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
      5 * 60_000,
    );
    const selector = `app.kubernetes.io/instance=${name}`;
    await until(
      "the pipeline's pods to be Running and ready",
      async () => {
        const all = await pods(kube, namespace, selector);
        return all.length > 0 && all.every((p) => phase(p) === "Running" && ready(p))
          ? true
          : undefined;
      },
      5 * 60_000,
    );

    write("\nThe chart's operator and what it made of examples/pipeline.yaml, in pods:\n\n");
    write(await get("get", "pods", "-n", namespace, "-o", "wide"));
    write("\n");
    write(await get("get", "sp", "-n", namespace, "-o", "wide"));
    write("\n");
    write(await get("get", "deploy,svc", "-n", namespace));
    write(`\n${topicTable(reconciled)}\n\n${conditionTable(reconciled)}\n\n`);

    const svc = await kube.core.readNamespacedService({ namespace, name: `${name}-producer` });
    const producerUrl = `http://${svc.spec?.clusterIP}:${svc.spec?.ports?.[0]?.port ?? 8201}`;
    const consumers = (await pipelineDeployments(kube, namespace, name)).filter((d) =>
      ["inventory", "analytics"].includes(deploymentRole(d) ?? ""),
    );
    const replicaProbes = consumers.map((d) => ({
      name: d.metadata?.name ?? "",
      read: async () => {
        const now = await kube.apps.readNamespacedDeployment({
          namespace,
          name: d.metadata?.name ?? "",
        });
        return now.status?.readyReplicas ?? 0;
      },
    }));
    const lag = new Sampler(lagProbes(admin, groups));
    const replicas = new Sampler(replicaProbes, 1000);
    lag.start();
    replicas.start();

    write(`\nAct 1: ${orders.toLocaleString("en-US")} orders to the producer Service\n\n`);
    log.info({ orders, producer: producerUrl }, "sending orders to the producer Service");
    const bar = ordersBar(orders);
    const t0 = performance.now();
    await sendOrders(producerUrl, orders, ({ sent }) => bar.update(sent));
    bar.stop();
    const sendSeconds = (performance.now() - t0) / 1000;
    log.info("waiting until the analytics pods have counted every order");
    const counted: Figures = await until(
      `analytics to count ${orders} orders`,
      async () => {
        const f = await analyticsFigures(kube, namespace, name);
        return countedAll(f, orders) ? f : undefined;
      },
      5 * 60_000,
    );
    const countedSeconds = (performance.now() - t0) / 1000;
    write(throughputLine(orders, sendSeconds, countedSeconds));
    write("Analytics figures, added up over the analytics pods (GET /metrics.json):\n");
    write(`${JSON.stringify(counted, null, 2)}\n`);

    let final = counted;
    if (backlog > 0) {
      const act: ActContext = {
        kube,
        namespace,
        pipeline: name,
        producerUrl,
        log,
        kubectl: (...args) => get(...args),
        figures: () => analyticsFigures(kube, namespace, name),
        until,
      };
      await backlogAct(act, backlog, orders);
      const identical = await replayAct(act, orders + backlog);
      final = await analyticsFigures(kube, namespace, name);
      if (!identical) throw new Error("the replay did not reproduce the analytics figures");
    }
    await Promise.all([lag.stop(), replicas.stop()]);
    await writeFile(resolve(outDir, "figures.json"), `${JSON.stringify(final, null, 2)}\n`);
    write("\n");
    const lagSeries = lag.series();
    const lagSvg = await showChart(outDir, {
      title: "Consumer-group lag over time",
      yTitle: "events behind",
      file: "lag.svg",
      series: lagSeries,
      notes: lagSeries.map(
        (s) => `peak lag ${s.name}: ${lag.peak(s.name).toLocaleString("en-US")}`,
      ),
    });
    const replicaSeries = replicas.series();
    const replicasSvg = await showChart(outDir, {
      title: "Ready replicas of each consumer Deployment over time",
      yTitle: "ready pods",
      file: "replicas.svg",
      series: replicaSeries,
      notes: replicaSeries.map((s) => `most ready pods of ${s.name}: ${replicas.peak(s.name)}`),
    });
    write("The pipeline and its pods now:\n\n");
    write(await get("get", "sp", "-n", namespace, "-o", "wide"));
    write("\n");
    write(await get("get", "pods", "-n", namespace, "-o", "wide"));
    await savePodLogs(kube, namespace, outDir, get);
    write(`\nPictures: ${lagSvg} ${replicasSvg}\nPod logs: ${outDir}/pods/\n`);
  } finally {
    if (installed) {
      log.info(
        { release: RELEASE, namespace },
        "deleting the pipeline, helm uninstall, the namespace",
      );
      // The pipeline first: its finalizer needs the operator, which the uninstall removes.
      if (pipelineName) await deletePipeline(kube, namespace, pipelineName).catch(() => undefined);
      await helm(stack.kubeconfig, "uninstall", RELEASE, "--namespace", namespace, "--wait").catch(
        (err: unknown) => log.warn({ err }, "helm uninstall failed"),
      );
    }
    await get(
      "delete",
      "namespace",
      namespace,
      "--ignore-not-found",
      "--wait",
      "--timeout=120s",
    ).catch((err: unknown) => log.warn({ err }, "could not delete the namespace"));
    await admin.disconnect();
    if (stack.started.length)
      log.info({ parts: stack.started }, "bringing down what the demo started");
    await stackDown(stack.started);
  }
}

/** Each pod's log, kept in outDir/pods/ after the namespace is gone. */
async function savePodLogs(
  kube: PipelineApi,
  namespace: string,
  outDir: string,
  get: (...args: string[]) => Promise<string>,
) {
  const dir = resolve(outDir, "pods");
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const p of await pods(kube, namespace, "")) {
    const name = p.metadata?.name ?? "";
    const text = await get("logs", "-n", namespace, name, "--all-containers").catch(() => "");
    await writeFile(resolve(dir, `${name}.log`), text);
  }
}
