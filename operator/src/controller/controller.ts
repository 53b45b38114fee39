import type { KubernetesObject, V1Deployment, V1Service } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { GROUP, PLURAL, VERSION } from "../api/constants.js";
import type { StreamingPipeline } from "../api/types.js";
import type { KubeClients } from "../kube/clients.js";
import { apiMessage, isConflict } from "../kube/errors.js";
import { RestartingInformer } from "../kube/informer.js";
import type { PipelineStore } from "../kube/pipelines.js";
import type { OperatorMetrics } from "../observability/metrics.js";
import { MANAGED_SELECTOR } from "../reconcile/labels.js";
import { keyOf, ownerKey, pipelineSignature } from "./event-filter.js";
import type { Reconciler } from "./reconciler.js";
import { WorkQueue } from "./work-queue.js";

export interface ControllerOptions {
  clients: KubeClients;
  pipelines: PipelineStore;
  reconciler: Reconciler;
  log: Logger;
  metrics: OperatorMetrics;
  /** Empty: all namespaces. */
  watchNamespaces: readonly string[];
  workers: number;
  resyncPeriodMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
}

/**
 * Informers on StreamingPipelines and on the Deployments and Services the operator owns feed one
 * de-duplicated work queue keyed by namespace/name; workers reconcile keys one at a time each,
 * retrying failures with per-key exponential backoff; every resync period all pipelines are queued
 * again (listed fresh from the API server), so nothing depends on an event arriving.
 */
export class PipelineController {
  readonly queue: WorkQueue;
  private readonly informers: Array<RestartingInformer<KubernetesObject>> = [];
  private readonly signatures = new Map<string, string>();
  private workers: Array<Promise<void>> = [];
  private running = false;

  constructor(private readonly o: ControllerOptions) {
    this.queue = new WorkQueue({ baseDelayMs: o.retryBaseDelayMs, maxDelayMs: o.retryMaxDelayMs });
  }

  /** True once every informer has listed. */
  get synced(): boolean {
    return this.running && this.informers.every((i) => i.synced);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const namespaces = this.o.watchNamespaces.length > 0 ? this.o.watchNamespaces : [undefined];
    for (const ns of namespaces) {
      this.informers.push(
        this.informer<KubernetesObject>("streamingpipelines", ns, {
          path: ns
            ? `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}`
            : `/apis/${GROUP}/${VERSION}/${PLURAL}`,
          list: async () =>
            (await (ns
              ? this.o.clients.custom.listNamespacedCustomObject({
                  group: GROUP,
                  version: VERSION,
                  namespace: ns,
                  plural: PLURAL,
                })
              : this.o.clients.custom.listClusterCustomObject({
                  group: GROUP,
                  version: VERSION,
                  plural: PLURAL,
                }))) as { items: KubernetesObject[]; metadata: { resourceVersion: string } },
          // Custom objects arrive as plain JSON, which is what StreamingPipeline describes.
          handlers: {
            add: (p) => this.onPipeline(p as unknown as StreamingPipeline),
            update: (p) => this.onPipeline(p as unknown as StreamingPipeline),
            delete: (p) => {
              this.signatures.delete(keyOf(p));
              this.queue.forget(keyOf(p));
            },
          },
        }),
        this.informer<V1Deployment>("deployments", ns, {
          path: ns ? `/apis/apps/v1/namespaces/${ns}/deployments` : "/apis/apps/v1/deployments",
          list: () =>
            ns
              ? this.o.clients.apps.listNamespacedDeployment({
                  namespace: ns,
                  labelSelector: MANAGED_SELECTOR,
                })
              : this.o.clients.apps.listDeploymentForAllNamespaces({
                  labelSelector: MANAGED_SELECTOR,
                }),
          labelSelector: MANAGED_SELECTOR,
          handlers: this.ownedHandlers(),
        }),
        this.informer<V1Service>("services", ns, {
          path: ns ? `/api/v1/namespaces/${ns}/services` : "/api/v1/services",
          list: () =>
            ns
              ? this.o.clients.core.listNamespacedService({
                  namespace: ns,
                  labelSelector: MANAGED_SELECTOR,
                })
              : this.o.clients.core.listServiceForAllNamespaces({
                  labelSelector: MANAGED_SELECTOR,
                }),
          labelSelector: MANAGED_SELECTOR,
          handlers: this.ownedHandlers(),
        }),
      );
    }
    await Promise.all(this.informers.map((i) => i.start()));
    this.queue.startResync(
      this.o.resyncPeriodMs,
      () => this.knownKeys(),
      (err) => this.o.log.warn({ error: apiMessage(err) }, "resync list failed"),
    );
    this.workers = Array.from({ length: this.o.workers }, () => this.work());
    this.o.log.info(
      {
        namespaces: this.o.watchNamespaces.length > 0 ? this.o.watchNamespaces : "all",
        workers: this.o.workers,
      },
      "controller started",
    );
  }

  /** Stops watching and waits for reconciles in flight to finish. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.queue.shutdown();
    await Promise.all(this.informers.map((i) => i.stop()));
    this.informers.length = 0;
    await Promise.all(this.workers);
    this.workers = [];
    this.o.log.info("controller stopped");
  }

  private informer<T extends KubernetesObject>(
    name: string,
    namespace: string | undefined,
    spec: {
      path: string;
      list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
      labelSelector?: string;
      handlers: { add?: (o: T) => void; update?: (o: T) => void; delete?: (o: T) => void };
    },
  ): RestartingInformer<KubernetesObject> {
    const informer = new RestartingInformer<T>({
      name: namespace ? `${name}/${namespace}` : name,
      kc: this.o.clients.kc,
      path: spec.path,
      list: spec.list as never,
      ...(spec.labelSelector ? { labelSelector: spec.labelSelector } : {}),
      handlers: spec.handlers,
      log: this.o.log,
      onRestart: () => this.o.metrics.watchRestarts.inc({ informer: name }),
    });
    return informer as unknown as RestartingInformer<KubernetesObject>;
  }

  private onPipeline(p: StreamingPipeline): void {
    const key = keyOf(p);
    const signature = pipelineSignature(p);
    if (this.signatures.get(key) === signature) return;
    this.signatures.set(key, signature);
    this.enqueue(key);
  }

  private ownedHandlers() {
    const wake = (obj: KubernetesObject) => {
      const key = ownerKey(obj);
      if (key) this.enqueue(key);
    };
    return { add: wake, update: wake, delete: wake };
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.o.metrics.queueDepth.set(this.queue.depth);
  }

  /** Every pipeline, listed fresh: a stale or broken watch cannot hide one from the resync. */
  private async knownKeys(): Promise<string[]> {
    const list = await this.o.pipelines.list(this.o.watchNamespaces);
    return list.map(keyOf);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.o.metrics.queueDepth.set(this.queue.depth);
      const end = this.o.metrics.reconcileDuration.startTimer();
      let result = "success";
      try {
        const outcome = await this.o.reconciler.reconcile(key, {
          retryDelayMs: this.queue.nextBackoff(key),
        });
        if (outcome.outcome === "retry") {
          result = "retry";
          this.o.metrics.reconcileErrors.inc({ reason: outcome.reason });
          this.retry(key);
          this.o.log.info({ pipeline: key, reason: outcome.reason }, "reconcile will retry");
        } else {
          this.queue.forget(key);
        }
      } catch (err) {
        result = "error";
        if (isConflict(err)) {
          // Someone changed the pipeline while we worked: do it again with a fresh read.
          this.o.metrics.reconcileErrors.inc({ reason: "Conflict" });
          this.o.log.debug({ pipeline: key }, "conflict; requeued");
        } else {
          this.o.metrics.reconcileErrors.inc({ reason: "ApiError" });
          this.o.log.error({ pipeline: key, error: apiMessage(err), err }, "reconcile failed");
        }
        this.retry(key);
      } finally {
        this.o.metrics.reconcileTotal.inc({ result });
        const seconds = end({ result });
        this.o.log.debug({ pipeline: key, result, durationMs: seconds * 1000 }, "reconciled");
        this.queue.done(key);
        this.o.metrics.queueDepth.set(this.queue.depth);
      }
    }
  }

  private retry(key: string): void {
    if (this.queue.isShutDown) return;
    this.o.metrics.queueRetries.inc();
    this.queue.addRateLimited(key);
  }
}
