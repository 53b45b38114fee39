import { randomBytes } from "node:crypto";
import { type CoreV1Event, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { CONTROLLER_NAME } from "../api/constants.js";
import type { StreamingPipeline } from "../api/types.js";
import type { KubeClients } from "./clients.js";

export type EventType = "Normal" | "Warning";

/** Where the reconciler reports what a user must notice. */
export interface EventSink {
  emit(
    pipeline: StreamingPipeline,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void>;
}

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
/** A repeat of the same event within this window bumps its count instead of adding one. */
const AGGREGATE_MS = 10 * 60_000;

/**
 * Writes core/v1 Events about pipelines (shown by `kubectl describe sp` and `kubectl get events`).
 * Repeats are aggregated into one Event with a count, as client-go's recorder does. Failing to
 * record an Event is logged, never fatal.
 */
export class EventRecorder implements EventSink {
  private readonly recent = new Map<string, { name: string; count: number; at: number }>();

  constructor(
    private readonly clients: KubeClients,
    private readonly instance: string,
    private readonly log: Logger,
  ) {}

  async emit(
    pipeline: StreamingPipeline,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const { namespace, name, uid } = pipeline.metadata;
    const key = `${uid}\n${type}\n${reason}\n${message}`;
    const now = new Date();
    this.prune(now.getTime());
    const seen = this.recent.get(key);
    try {
      if (seen) {
        seen.count += 1;
        seen.at = now.getTime();
        await this.clients.core.patchNamespacedEvent(
          {
            namespace,
            name: seen.name,
            body: { count: seen.count, lastTimestamp: now.toISOString() },
          },
          mergePatch,
        );
        return;
      }
      const event: CoreV1Event = {
        metadata: { name: `${name}.${randomBytes(8).toString("hex")}`, namespace },
        involvedObject: {
          apiVersion: pipeline.apiVersion,
          kind: pipeline.kind,
          name,
          namespace,
          uid,
          resourceVersion: pipeline.metadata.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: CONTROLLER_NAME },
        reportingComponent: CONTROLLER_NAME,
        reportingInstance: this.instance,
      };
      const created = await this.clients.core.createNamespacedEvent({ namespace, body: event });
      this.recent.set(key, { name: created.metadata?.name ?? "", count: 1, at: now.getTime() });
      this.log.info({ pipeline: `${namespace}/${name}`, type, reason, event: message }, "event");
    } catch (err) {
      this.recent.delete(key);
      this.log.warn({ err, pipeline: `${namespace}/${name}`, reason }, "could not record event");
    }
  }

  private prune(now: number): void {
    for (const [key, entry] of this.recent) {
      if (now - entry.at > AGGREGATE_MS) this.recent.delete(key);
    }
  }
}
