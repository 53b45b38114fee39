import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import { exponentialBackoff } from "../controller/backoff.js";

export interface InformerHandlers<T> {
  add?: (obj: T) => void;
  update?: (obj: T) => void;
  delete?: (obj: T) => void;
}

export interface InformerOptions<T extends KubernetesObject> {
  /** For logs and metrics: e.g. "streamingpipelines". */
  name: string;
  kc: KubeConfig;
  /** The collection's API path, e.g. /apis/apps/v1/namespaces/shop/deployments. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  handlers: InformerHandlers<T>;
  log: Logger;
  onRestart?: () => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * A list-watch informer that restarts itself. @kubernetes/client-node's ListWatch re-lists after
 * a 410 and re-watches when the server closes a watch, but stops for good on any other error
 * (API server restarted, network gone, a failed list); this wrapper restarts it after an
 * exponential backoff with jitter, and resets the backoff once a restart succeeds.
 */
export class RestartingInformer<T extends KubernetesObject> {
  private readonly informer;
  private failures = 0;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private hasSynced = false;
  private errorSinceStart = false;

  constructor(private readonly options: InformerOptions<T>) {
    this.informer = makeInformer<T>(options.kc, options.path, options.list, options.labelSelector);
    const { handlers } = options;
    if (handlers.add) this.informer.on("add", handlers.add);
    if (handlers.update) this.informer.on("update", handlers.update);
    if (handlers.delete) this.informer.on("delete", handlers.delete);
    this.informer.on("error", (err) => this.onError(err));
  }

  /** True once a list has succeeded. */
  get synced(): boolean {
    return this.hasSynced;
  }

  /** Objects in the informer's cache. */
  list(): readonly T[] {
    return this.informer.list();
  }

  /** Lists and starts watching; a failure is retried in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private async attempt(): Promise<void> {
    this.errorSinceStart = false;
    await this.informer.start();
    if (!this.errorSinceStart && !this.stopped) {
      this.hasSynced = true;
      this.failures = 0;
    }
  }

  private onError(err: unknown): void {
    this.errorSinceStart = true;
    if (this.stopped) return;
    const base = this.options.baseDelayMs ?? 500;
    const max = this.options.maxDelayMs ?? 30_000;
    const delay = exponentialBackoff(this.failures, base, max) * (0.8 + Math.random() * 0.4);
    this.failures += 1;
    this.options.log.warn(
      { err, informer: this.options.name, retryInMs: Math.round(delay), failures: this.failures },
      "watch failed; restarting",
    );
    this.options.onRestart?.();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped) void this.attempt();
    }, delay);
    this.restartTimer.unref();
  }
}
