import type { KubernetesObject } from "@kubernetes/client-node";
import { GROUP, KIND } from "../api/constants.js";
import type { StreamingPipeline } from "../api/types.js";

/** `namespace/name`: the work queue's key. */
export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  return `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
}

export function parseKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * What of a pipeline, when it changes, needs a reconcile: the spec (generation), deletion,
 * finalizers, labels and annotations (e.g. a replay request). Status-only updates (most of them
 * our own writes) are left out, so writing status never wakes the reconciler in a loop.
 */
export function pipelineSignature(p: StreamingPipeline): string {
  const m = p.metadata;
  return JSON.stringify([
    m.generation,
    m.deletionTimestamp ?? null,
    m.finalizers ?? [],
    m.labels ?? {},
    m.annotations ?? {},
  ]);
}

/** The key of the pipeline that controls an object, if a pipeline does. */
export function ownerKey(obj: KubernetesObject): string | undefined {
  const owner = obj.metadata?.ownerReferences?.find(
    (o) => o.controller && o.kind === KIND && o.apiVersion.startsWith(`${GROUP}/`),
  );
  return owner ? `${obj.metadata?.namespace ?? ""}/${owner.name}` : undefined;
}
