import { hostname } from "node:os";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { CONTROLLER_NAME } from "./api/constants.js";
import { Autoscaler, type AutoscalerOptions } from "./autoscale/autoscaler.js";
import { type OperatorConfig, parseConfig } from "./config.js";
import { PipelineController } from "./controller/controller.js";
import { Reconciler } from "./controller/reconciler.js";
import { AdminPool } from "./kafka/admin-pool.js";
import { loadKubeConfig, makeClients } from "./kube/clients.js";
import { EventRecorder } from "./kube/events.js";
import { kafkaReferenceReader } from "./kube/kafka-references.js";
import { LeaderElector } from "./kube/leader-election.js";
import { OwnedObjects } from "./kube/owned.js";
import { PipelineStore } from "./kube/pipelines.js";
import { createLogger } from "./observability/logger.js";
import { createMetrics, type OperatorMetrics } from "./observability/metrics.js";
import { startHttpServer } from "./observability/server.js";
import type { ReplayOptions } from "./replay/options.js";

export interface StartOperatorOptions {
  /** A kubeconfig path or a loaded KubeConfig; defaults to config.kubeconfig, then in-cluster. */
  kubeconfig?: string | KubeConfig;
  /** Overrides on top of the environment-free defaults (parseConfig({})). */
  config?: Partial<Omit<OperatorConfig, "leaderElection">> & {
    leaderElection?: Partial<OperatorConfig["leaderElection"]>;
  };
  /** A complete configuration (e.g. from parseConfig(process.env)); `config` still applies on top. */
  baseConfig?: OperatorConfig;
  logger?: Logger;
  /** Policy constants and windows of the autoscaler (defaults suit production). */
  autoscaler?: AutoscalerOptions;
  /** Timeouts of the replay executor. */
  replay?: ReplayOptions;
  /** Process-wide metrics (CPU, memory, event loop); only for a process running one operator. */
  processMetrics?: boolean;
  /** Address for /healthz, /readyz and /metrics; 127.0.0.1 unless told (0.0.0.0 in a pod). */
  httpHost?: string;
}

export interface OperatorHandle {
  identity: string;
  /** The port /healthz, /readyz and /metrics listen on. */
  httpPort: number;
  metrics: OperatorMetrics;
  isLeader(): boolean;
  /** Resolves once this replica leads and its informers have listed. */
  whenLeading(timeoutMs?: number): Promise<void>;
  /** Stops acting, releases the Lease, closes Kafka connections and the HTTP server. */
  stop(): Promise<void>;
}

/**
 * Starts the operator in this process: leader election (when enabled), then the controller and
 * its informers while leading, and the HTTP endpoints at once. main.ts, the demo and the
 * benchmark all start it through here.
 */
export async function startOperator(options: StartOperatorOptions = {}): Promise<OperatorHandle> {
  const base = options.baseConfig ?? parseConfig({}, hostname());
  const config: OperatorConfig = {
    ...base,
    ...options.config,
    leaderElection: { ...base.leaderElection, ...options.config?.leaderElection },
  };
  const log = options.logger ?? createLogger(config.logLevel, config.identity);
  const kc =
    typeof options.kubeconfig === "object"
      ? options.kubeconfig
      : loadKubeConfig(options.kubeconfig ?? config.kubeconfig);
  const clients = makeClients(kc);
  const metrics = createMetrics({ processMetrics: options.processMetrics ?? false });
  const pipelines = new PipelineStore(clients);
  const admins = new AdminPool({
    clientId: CONTROLLER_NAME,
    connectTimeoutMs: config.kafkaConnectTimeoutMs,
  });
  const reconciler = new Reconciler({
    clients,
    pipelines,
    owned: new OwnedObjects(clients),
    kafkaRefs: kafkaReferenceReader(clients),
    admins,
    events: new EventRecorder(clients, config.identity, log),
    log,
    workloadImage: config.workloadImage,
    workloadImagePullPolicy: config.workloadImagePullPolicy,
    workloadImagePullSecrets: config.workloadImagePullSecrets,
    watchNamespaces: config.watchNamespaces,
    autoscaler: new Autoscaler(options.autoscaler),
    replayOptions: { emptyGroupTimeoutMs: config.replayEmptyGroupTimeoutMs, ...options.replay },
    metrics,
    // The work queue belongs to the controller of the current leadership term.
    requeueAfter: (key, ms) => controller?.queue.addAfter(key, ms),
  });

  let controller: PipelineController | undefined;
  let leading = false;
  let stopped = false;
  const startLeading = async () => {
    leading = true;
    metrics.isLeader.set(1);
    controller = new PipelineController({
      clients,
      pipelines,
      reconciler,
      log,
      metrics,
      watchNamespaces: config.watchNamespaces,
      workers: config.workers,
      resyncPeriodMs: config.resyncPeriodMs,
      retryBaseDelayMs: config.retryBaseDelayMs,
      retryMaxDelayMs: config.retryMaxDelayMs,
    });
    await controller.start();
  };
  const stopLeading = async () => {
    leading = false;
    metrics.isLeader.set(0);
    const c = controller;
    controller = undefined;
    await c?.stop();
  };

  const http = await startHttpServer(
    config.httpPort,
    options.httpHost ?? "127.0.0.1",
    {
      healthy: () => !stopped,
      ready: () => {
        if (stopped) return { ok: false, reason: "stopping" };
        if (leading && !controller?.synced) return { ok: false, reason: "informers not synced" };
        return { ok: true };
      },
    },
    metrics.registry,
  );

  let elector: LeaderElector | undefined;
  if (config.leaderElection.enabled) {
    const le = config.leaderElection;
    elector = new LeaderElector({
      clients,
      namespace: le.namespace,
      leaseName: le.leaseName,
      identity: config.identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      log,
      onStartedLeading: startLeading,
      onStoppedLeading: stopLeading,
    });
    elector.start();
  } else {
    await startLeading();
  }
  log.info(
    {
      httpPort: http.port,
      leaderElection: config.leaderElection.enabled,
      workloadImage: config.workloadImage,
    },
    "operator started",
  );

  return {
    identity: config.identity,
    httpPort: http.port,
    metrics,
    isLeader: () => leading,
    async whenLeading(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(leading && controller?.synced)) {
        if (stopped) throw new Error("operator stopped");
        if (Date.now() > deadline) throw new Error(`not leading after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (elector) await elector.stop();
      else await stopLeading();
      await admins.close();
      await http.server.close();
      log.info("operator stopped");
    },
  };
}
