import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION } from "../api/constants.js";
import type { StreamingPipeline } from "../api/types.js";
import type { KubeClients } from "./clients.js";
import { isNotFound } from "./errors.js";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** Reads and writes StreamingPipelines: always fresh from the API server, never from a cache. */
export class PipelineStore {
  constructor(private readonly clients: KubeClients) {}

  async get(namespace: string, name: string): Promise<StreamingPipeline | undefined> {
    try {
      return (await this.clients.custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name,
      })) as StreamingPipeline;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Every pipeline in the namespaces (all namespaces when the list is empty). */
  async list(namespaces: readonly string[]): Promise<StreamingPipeline[]> {
    const lists =
      namespaces.length === 0
        ? [
            await this.clients.custom.listClusterCustomObject({
              group: GROUP,
              version: VERSION,
              plural: PLURAL,
            }),
          ]
        : await Promise.all(
            namespaces.map((namespace) =>
              this.clients.custom.listNamespacedCustomObject({
                group: GROUP,
                version: VERSION,
                namespace,
                plural: PLURAL,
              }),
            ),
          );
    return lists.flatMap((l) => (l as { items: StreamingPipeline[] }).items);
  }

  /**
   * Merge-patches the status subresource. The patch carries the resourceVersion the status was
   * computed from, so a change made meanwhile makes it fail with 409 rather than be overwritten.
   */
  async patchStatus(
    pipeline: StreamingPipeline,
    status: Record<string, unknown>,
  ): Promise<StreamingPipeline> {
    return (await this.clients.custom.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace: pipeline.metadata.namespace,
        plural: PLURAL,
        name: pipeline.metadata.name,
        body: { metadata: { resourceVersion: pipeline.metadata.resourceVersion }, status },
      },
      mergePatch,
    )) as StreamingPipeline;
  }

  /** Replaces metadata.finalizers, guarded by resourceVersion like patchStatus. */
  async setFinalizers(
    pipeline: StreamingPipeline,
    finalizers: string[],
  ): Promise<StreamingPipeline> {
    return (await this.clients.custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: pipeline.metadata.namespace,
        plural: PLURAL,
        name: pipeline.metadata.name,
        body: { metadata: { resourceVersion: pipeline.metadata.resourceVersion, finalizers } },
      },
      mergePatch,
    )) as StreamingPipeline;
  }
}
