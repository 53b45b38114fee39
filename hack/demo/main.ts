import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { SingleBar } from "cli-progress";
import { Kafka, logLevel } from "kafkajs";
import { pino } from "pino";
import { svgChart, terminalChart } from "../../bench/lib/charts.js";
import type { StreamingPipeline } from "../../operator/src/api/types.js";
import { type OperatorHandle, startOperator } from "../../operator/src/operator.js";
import { pipelineTopics } from "../../operator/src/reconcile/desired-topics.js";
import { consumerGroupId } from "../../operator/src/reconcile/names.js";
import type { AnalyticsSnapshot } from "../../workloads/src/analytics/aggregator.js";
import {
  clusterService,
  ensureUp,
  kafkaService,
  type RunningService,
  repoRoot,
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
import { deploymentEnv, deploymentRole } from "./deployment-env.js";
import { LagSampler } from "./lag-sampler.js";
import { sendOrders } from "./send-orders.js";

// The main job: the operator runs against the local cluster and Kafka and turns the example
// pipeline into topics, Deployments and a Service. This cluster has no node to run pods yet, so
// the demo runs each workload as a local process with the environment of the Deployment the
// operator built, pushes DEMO_ORDERS orders through the producer's batch API, waits until
// analytics has counted them all, and shows the figures and the groups' lag over time.
const ORDERS = Number(process.env.DEMO_ORDERS ?? 10_000);
const NAMESPACE = process.env.DEMO_NAMESPACE ?? "streaming-orders-demo";
const outDir = resolve(repoRoot, ".run/demo");
const log = pino({ base: { script: "demo" } }, pino.destination(2));
const exec = promisify(execFile);

async function figures(analytics: WorkloadProcess): Promise<AnalyticsSnapshot> {
  const response = await fetch(`${analytics.url}/metrics.json`);
  return (await response.json()) as AnalyticsSnapshot;
}

async function waitUntilCounted(analytics: WorkloadProcess, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = await figures(analytics);
    if (f.total_orders >= ORDERS && f.processed_orders >= ORDERS) return f;
    if (Date.now() > deadline) throw new Error(`analytics counted only ${JSON.stringify(f)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What `kubectl` prints: the user's own view of what the operator made. */
async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const tools = resolve(repoRoot, "hack/tools.sh");
  const bin = (await exec(tools, ["path", "kubectl"])).stdout.trim();
  const { stdout } = await exec(bin, ["--kubeconfig", kubeconfig, ...args]);
  return stdout;
}

async function main() {
  if (!Number.isInteger(ORDERS) || ORDERS < 1)
    throw new Error("DEMO_ORDERS must be a positive integer");
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

    const sampler = new LagSampler(
      admin,
      pipeline.spec.consumers.map((c) => ({
        groupId: consumerGroupId(pipeline, c),
        topics: c.topics,
      })),
    );
    sampler.start();
    const bar = new SingleBar({
      format: "orders [{bar}] {value}/{total} {percentage}% {eta_formatted} left",
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: true,
    });
    bar.start(ORDERS, 0);
    const sendStart = performance.now();
    await sendOrders(producer.url, ORDERS, ({ sent }) => bar.update(sent));
    bar.stop();
    const sendSeconds = (performance.now() - sendStart) / 1000;
    const counted = await waitUntilCounted(analytics);
    const pipelineSeconds = (performance.now() - sendStart) / 1000;
    await sampler.stop();

    const series = sampler.series();
    const svgPath = resolve(outDir, "lag.svg");
    await writeFile(
      svgPath,
      await svgChart(series, {
        title: "Consumer-group lag during the demo",
        xTitle: "seconds",
        yTitle: "events behind",
      }),
    );
    await writeFile(resolve(outDir, "figures.json"), `${JSON.stringify(counted, null, 2)}\n`);

    out.write(`\nSent ${ORDERS.toLocaleString("en-US")} orders in ${sendSeconds.toFixed(1)} s `);
    out.write(`(${Math.round(ORDERS / sendSeconds).toLocaleString("en-US")} orders/s); `);
    out.write(
      `analytics had counted every one ${pipelineSeconds.toFixed(1)} s after the first was sent.\n\n`,
    );
    out.write("Analytics figures (GET /metrics.json):\n");
    out.write(`${JSON.stringify(counted, null, 2)}\n\n`);
    out.write("Consumer-group lag over time (events behind):\n");
    out.write(`${terminalChart(series)}\n\n`);
    for (const s of series)
      out.write(`  peak lag ${s.name}: ${sampler.peak(s.name).toLocaleString("en-US")}\n`);
    out.write("\nThe pipeline as the operator reports it now:\n\n");
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

/** Each topic the pipeline needs, as Kafka has it. */
function topicTable(p: StreamingPipeline): string {
  const rows = (p.status?.topics ?? []).map(
    (t) => `  ${t.name.padEnd(24)} ${String(t.partitions).padStart(10)} ${t.replicationFactor}`,
  );
  return [`  ${"TOPIC".padEnd(24)} PARTITIONS REPLICATION`, ...rows].join("\n");
}

function conditionTable(p: StreamingPipeline): string {
  const rows = (p.status?.conditions ?? []).map(
    (c) => `  ${c.type.padEnd(15)} ${c.status.padEnd(7)} ${c.reason.padEnd(22)} ${c.message}`,
  );
  return [
    `  ${"CONDITION".padEnd(15)} ${"STATUS".padEnd(7)} ${"REASON".padEnd(22)} MESSAGE`,
    ...rows,
  ].join("\n");
}

main().catch((err: unknown) => {
  log.fatal({ err }, "demo failed");
  process.exitCode = 1;
});
