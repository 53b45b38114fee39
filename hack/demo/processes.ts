import { mkdir, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { type Logger, pino } from "pino";
import { type OperatorHandle, startOperator } from "../../operator/src/operator.js";
import { pipelineTopics } from "../../operator/src/reconcile/desired-topics.js";
import { consumerGroupId } from "../../operator/src/reconcile/names.js";
import type { AnalyticsSnapshot } from "../../workloads/src/analytics/aggregator.js";
import {
  clusterService,
  ensureUp,
  kafkaService,
  type RunningService,
  stopIfStarted,
} from "../local-services.js";
import {
  applyPipeline,
  deletePipeline,
  ensureNamespace,
  examplePipeline,
  installCrd,
  pipelineApi,
  pipelineDeployments,
  waitForPipeline,
} from "../pipeline-api.js";
import {
  freePort,
  startWorkload,
  stopWorkload,
  type WorkloadProcess,
  waitReady,
} from "../workload-process.js";
import { kubectl } from "./cli.js";
import { deploymentEnv, deploymentRole } from "./deployment-env.js";
import { lagProbes } from "./lag-sampler.js";
import { conditionTable, ordersBar, showChart, throughputLine, topicTable } from "./report.js";
import { Sampler } from "./sampler.js";
import { sendOrders } from "./send-orders.js";

// The main job without root (DEMO_MODE=processes): the operator runs in this process against the
// node-less local cluster and local Kafka and turns the example pipeline into topics, Deployments
// and a Service; each workload then runs as a local process with the environment of the
// Deployment the operator built. DEMO_ORDERS orders go through the producer's batch API, and the
// demo waits until analytics has counted them all and shows the figures and the groups' lag.

async function figures(analytics: WorkloadProcess): Promise<AnalyticsSnapshot> {
  const response = await fetch(`${analytics.url}/metrics.json`);
  return (await response.json()) as AnalyticsSnapshot;
}

async function waitUntilCounted(analytics: WorkloadProcess, orders: number, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = await figures(analytics);
    if (f.total_orders >= orders && f.processed_orders >= orders) return f;
    if (Date.now() > deadline) throw new Error(`analytics counted only ${JSON.stringify(f)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface DemoOptions {
  orders: number;
  /** Orders sent while inventory is stopped, for the autoscaling and replay acts (pods only; 0: none). */
  backlog: number;
  namespace: string;
  outDir: string;
  log: Logger;
}

export async function processesDemo({
  orders: ORDERS,
  namespace: NAMESPACE,
  outDir,
  log,
}: DemoOptions) {
  await mkdir(outDir, { recursive: true });
  const services: RunningService[] = [];
  const workloads: WorkloadProcess[] = [];
  let operator: OperatorHandle | undefined;
  let admin: ReturnType<Kafka["admin"]> | undefined;
  try {
    log.info("starting local Kafka and the local cluster (reused when already up)");
    const [kafka, cluster] = await Promise.all([
      ensureUp(kafkaService(process.env.DEMO_KAFKA_BROKERS)),
      ensureUp(clusterService(process.env.DEMO_KUBECONFIG)),
    ]);
    services.push(kafka, cluster);
    const kube = pipelineApi(cluster.address);
    admin = new Kafka({ brokers: kafka.address.split(","), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();

    log.info("installing the StreamingPipeline CRD");
    await installCrd(kube);
    await ensureNamespace(kube, NAMESPACE);
    const pipeline = await examplePipeline(NAMESPACE, kafka.address);
    const name = pipeline.metadata.name;
    // A clean slate: the demo's pipeline, topics and groups start empty on every run.
    await deletePipeline(kube, NAMESPACE, name);
    const topics = pipelineTopics(pipeline.spec).map((t) => t.name);
    const stale = (await admin.listTopics()).filter((t) => topics.includes(t));
    if (stale.length) await admin.deleteTopics({ topics: stale });
    const groups = pipeline.spec.consumers.map((c) => consumerGroupId(pipeline, c));
    await admin.deleteGroups(groups).catch(() => undefined);

    log.info({ logFile: `${outDir}/operator.log` }, "starting the operator");
    operator = await startOperator({
      kubeconfig: cluster.address,
      logger: pino({ level: "info" }, pino.destination(`${outDir}/operator.log`)),
      config: {
        watchNamespaces: [NAMESPACE],
        httpPort: 0,
        leaderElection: { enabled: false },
      },
    });
    await operator.whenLeading();

    log.info({ namespace: NAMESPACE, pipeline: name }, "applying examples/pipeline.yaml");
    await applyPipeline(kube, pipeline);
    const reconciled = await waitForPipeline(
      kube,
      NAMESPACE,
      name,
      "the operator to create the topics and workloads",
      (p) =>
        p.status?.observedGeneration === p.metadata.generation &&
        p.status?.conditions?.some((c) => c.type === "TopicsReady" && c.status === "True") === true,
    );
    const deployments = await pipelineDeployments(kube, NAMESPACE, name);
    const out = process.stdout;
    out.write("\nWhat the operator made of examples/pipeline.yaml:\n\n");
    out.write(await kubectl(cluster.address, "get", "sp", "-n", NAMESPACE, "-o", "wide"));
    out.write("\n");
    out.write(await kubectl(cluster.address, "get", "deploy,svc", "-n", NAMESPACE));
    out.write(`\n${topicTable(reconciled)}\n${conditionTable(reconciled)}\n`);

    // No node runs pods here: run each Deployment's container as a local process instead.
    const env = { LOG_LEVEL: "info", ANALYTICS_OUTPUT_PATH: resolve(outDir, "analytics.json") };
    for (const d of deployments) {
      const role = deploymentRole(d);
      if (role !== "producer" && role !== "inventory" && role !== "analytics") continue;
      const podEnv: Record<string, string> = {
        ...deploymentEnv(d),
        ...env,
        HOSTNAME: `${d.metadata?.name}-local`,
      };
      workloads.push(startWorkload(role, await freePort(), podEnv, outDir));
    }
    const byRole = (role: string) => {
      const w = workloads.find((x) => x.role === role);
      if (!w) throw new Error(`the operator made no ${role} Deployment`);
      return w;
    };
    const producer = byRole("producer");
    const analytics = byRole("analytics");
    log.info({ workloads: workloads.map((w) => w.role) }, "workloads started as local processes");
    await Promise.all(workloads.map((w) => waitReady(w)));

    const sampler = new Sampler(
      lagProbes(
        admin,
        pipeline.spec.consumers.map((c) => ({
          groupId: consumerGroupId(pipeline, c),
          topics: c.topics,
        })),
      ),
    );
    sampler.start();
    const bar = ordersBar(ORDERS);
    const sendStart = performance.now();
    await sendOrders(producer.url, ORDERS, ({ sent }) => bar.update(sent));
    bar.stop();
    const sendSeconds = (performance.now() - sendStart) / 1000;
    const counted = await waitUntilCounted(analytics, ORDERS);
    const pipelineSeconds = (performance.now() - sendStart) / 1000;
    await sampler.stop();

    await writeFile(resolve(outDir, "figures.json"), `${JSON.stringify(counted, null, 2)}\n`);
    out.write(throughputLine(ORDERS, sendSeconds, pipelineSeconds));
    out.write("Analytics figures (GET /metrics.json):\n");
    out.write(`${JSON.stringify(counted, null, 2)}\n\n`);
    const series = sampler.series();
    const svgPath = await showChart(outDir, {
      title: "Consumer-group lag over time",
      yTitle: "events behind",
      file: "lag.svg",
      series,
      notes: series.map(
        (s) => `peak lag ${s.name}: ${sampler.peak(s.name).toLocaleString("en-US")}`,
      ),
    });
    out.write("The pipeline as the operator reports it now:\n\n");
    out.write(await kubectl(cluster.address, "get", "sp", "-n", NAMESPACE, "-o", "wide"));
    out.write(
      `\nPicture: ${svgPath}\nLogs: ${outDir}/{operator,producer,inventory,analytics}.log\n`,
    );
  } finally {
    await Promise.all(workloads.map((w) => stopWorkload(w)));
    await operator?.stop();
    await admin?.disconnect();
    for (const s of services.reverse()) await stopIfStarted(s);
  }
}
