import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import yaml from "js-yaml";
import { Kafka, logLevel } from "kafkajs";
import {
  clusterService,
  ensureUp,
  kafkaService,
  repoRoot,
  stopIfStarted,
} from "../hack/local-services.js";
import {
  applyPipeline,
  ensureNamespace,
  examplePipeline,
  installCrd,
  pipelineApi,
} from "../hack/pipeline-api.js";
import { freePort } from "../hack/workload-process.js";
import type { StreamingPipeline } from "../operator/src/api/types.js";
import { pipelineTopics } from "../operator/src/reconcile/desired-topics.js";
import { svgChart, terminalChart } from "./lib/charts.js";
import { resultsDir, writeResult } from "./lib/results.js";
import { runDir, scratchName } from "./lib/scratch.js";
import { quantile, round } from "./lib/stats.js";

// 100 pipelines applied at once to an operator running as its own process: time until all are
// Ready, the duration of every reconcile (from the operator's own debug log), and its memory.
// The local cluster has no node to run pods, so the pipelines ask for 0 replicas: the operator
// still creates every topic, Deployment and Service and reports Ready once they match the spec.
const PIPELINES = Number(process.env.BENCH_OPERATOR_PIPELINES ?? 100);
const TIMEOUT_MS = 180_000;
/** The Node.js flags the chart gives the operator's container (operator.nodeOptions). */
async function chartNodeOptions(): Promise<string> {
  const values = yaml.load(
    await readFile(resolve(repoRoot, "charts/streaming-orders/values.yaml"), "utf8"),
  ) as { operator?: { nodeOptions?: string } };
  return values.operator?.nodeOptions ?? "";
}

const ready = (p: StreamingPipeline) =>
  p.status?.observedGeneration === p.metadata.generation &&
  p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** The operator's resident memory now, from /proc (Linux). */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

function startOperatorProcess(
  kubeconfig: string,
  namespace: string,
  port: number,
  nodeOptions: string,
) {
  const child = spawn(process.execPath, [resolve(repoRoot, "dist/operator/src/main.js")], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      KUBECONFIG: kubeconfig,
      WATCH_NAMESPACES: namespace,
      LEADER_ELECTION: "false",
      OPERATOR_HTTP_PORT: String(port),
      LOG_LEVEL: "debug",
      NODE_OPTIONS: nodeOptions,
      ...(process.env.RECONCILE_WORKERS
        ? { RECONCILE_WORKERS: process.env.RECONCILE_WORKERS }
        : {}),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const durationsMs: number[] = [];
  const log = createWriteStream(resolve(runDir, "operator.log"));
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    log.write(`${line}\n`);
    if (!line.includes('"reconciled"')) return;
    const entry = JSON.parse(line) as { msg?: string; durationMs?: number };
    if (entry.msg === "reconciled" && typeof entry.durationMs === "number")
      durationsMs.push(entry.durationMs);
  });
  return { child, durationsMs };
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

async function main() {
  const [kafka, cluster] = await Promise.all([
    ensureUp(kafkaService(process.env.TEST_KAFKA_BROKERS)),
    ensureUp(clusterService(process.env.TEST_KUBECONFIG)),
  ]);
  const api = pipelineApi(cluster.address);
  const namespace = scratchName("bench-operator");
  const port = await freePort();
  const nodeOptions = process.env.OPERATOR_NODE_OPTIONS ?? (await chartNodeOptions());
  const operator = startOperatorProcess(cluster.address, namespace, port, nodeOptions);
  const topics: string[] = [];
  try {
    await installCrd(api);
    await ensureNamespace(api, namespace);
    await waitHealthy(port);
    const idleRssMb = await rssMb(operator.child.pid ?? 0);

    const template = await examplePipeline(namespace, kafka.address);
    const pipelines = Array.from({ length: PIPELINES }, (_, i) => {
      const p = structuredClone(template);
      const suffix = `${namespace}-${i}`;
      const rename = (t: string) => `${t}-${suffix}`;
      p.metadata.name = `orders-${i}`;
      for (const t of p.spec.topics) t.name = rename(t.name);
      p.spec.producer.topic = rename(p.spec.producer.topic);
      p.spec.producer.replicas = 0;
      for (const c of p.spec.consumers) {
        c.topics = c.topics.map(rename);
        if (c.outputTopic) c.outputTopic = rename(c.outputTopic);
        c.groupId = `${c.groupId}-${suffix}`;
        c.autoscaling = { ...c.autoscaling, enabled: false } as typeof c.autoscaling;
        c.replicas = 0;
      }
      topics.push(...pipelineTopics(p.spec).map((t) => t.name));
      return p;
    });

    let peakRssMb = idleRssMb;
    const readyAt: [number, number][] = [[0, 0]];
    const start = performance.now();
    await Promise.all(pipelines.map((p) => applyPipeline(api, p)));
    const appliedS = (performance.now() - start) / 1000;
    process.stderr.write(`applied ${PIPELINES} pipelines in ${appliedS.toFixed(1)} s\n`);
    let allReadyS = Number.NaN;
    let deploymentsSettledS = Number.NaN;
    for (;;) {
      const elapsed = (performance.now() - start) / 1000;
      peakRssMb = Math.max(peakRssMb, await rssMb(operator.child.pid ?? 0));
      const list = (await api.custom.listNamespacedCustomObject({
        group: "streaming-orders.io",
        version: "v1alpha1",
        namespace,
        plural: "streamingpipelines",
      })) as { items: StreamingPipeline[] };
      const count = list.items.filter(ready).length;
      readyAt.push([round(elapsed), count]);
      // The controller-manager's share: Deployments whose status it has caught up with.
      const deployments = await api.apps.listNamespacedDeployment({ namespace });
      const settled = deployments.items.filter(
        (d) => (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1),
      ).length;
      if (settled === PIPELINES * 3 && Number.isNaN(deploymentsSettledS))
        deploymentsSettledS = elapsed;
      if (count !== readyAt.at(-2)?.[1] || count === PIPELINES)
        process.stderr.write(
          `${count}/${PIPELINES} Ready, ${settled}/${PIPELINES * 3} Deployments settled after ${elapsed.toFixed(1)} s\n`,
        );
      if (count === PIPELINES) {
        allReadyS = elapsed;
        break;
      }
      if (elapsed * 1000 > TIMEOUT_MS) throw new Error(`only ${count} of ${PIPELINES} Ready`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Let follow-up reconciles (status-only wake-ups) finish so their durations count too.
    await new Promise((r) => setTimeout(r, 2000));
    peakRssMb = Math.max(peakRssMb, await rssMb(operator.child.pid ?? 0));

    const durations = [...operator.durationsMs].sort((a, b) => a - b);
    const series = [{ name: "pipelines Ready", points: readyAt }];
    process.stdout.write(`\n${terminalChart(series)}\n`);
    await mkdir(resultsDir, { recursive: true });
    await writeFile(
      resolve(resultsDir, "operator-ready.svg"),
      await svgChart(series, {
        title: `${PIPELINES} pipelines applied at once: how many are Ready`,
        xTitle: "seconds after applying",
        yTitle: "pipelines Ready",
      }),
    );
    await writeResult("operator", {
      pipelines: PIPELINES,
      topics: topics.length,
      apply_s: round(appliedS),
      all_ready_s: round(allReadyS),
      deployments_settled_s: round(deploymentsSettledS),
      reconciles: durations.length,
      reconcile_p50_ms: round(quantile(durations, 0.5)),
      reconcile_p99_ms: round(quantile(durations, 0.99)),
      reconcile_max_ms: round(durations.at(-1) ?? Number.NaN),
      rss_mb: round(peakRssMb),
      idle_rss_mb: round(idleRssMb),
      target_all_ready_s: 30,
      target_reconcile_p99_ms: 500,
      target_rss_mb: 200,
    });
  } finally {
    await stopProcess(operator.child);
    await api.core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await deleteTopics(kafka.address, topics);
    await stopIfStarted(cluster);
    await stopIfStarted(kafka);
  }
}

async function waitHealthy(port: number) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the operator did not answer /readyz within 30 s");
}

async function deleteTopics(brokers: string, names: string[]) {
  const admin = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const mine = names.filter((n) => existing.has(n));
  if (mine.length)
    await admin.deleteTopics({ topics: mine, timeout: 60_000 }).catch(() => undefined);
  await admin.disconnect();
}

await main();
