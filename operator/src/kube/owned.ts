import type { V1Deployment, V1Service } from "@kubernetes/client-node";
import type { StreamingPipeline } from "../api/types.js";
import { MANAGED_SELECTOR } from "../reconcile/labels.js";
import type { KubeClients } from "./clients.js";
import { isNotFound } from "./errors.js";

/** The objects the operator made for one pipeline, found by label and confirmed by owner uid. */
export class OwnedObjects {
  constructor(private readonly clients: KubeClients) {}

  async deployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    try {
      return await this.clients.apps.readNamespacedDeployment({ namespace, name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async deployments(pipeline: StreamingPipeline): Promise<V1Deployment[]> {
    const list = await this.clients.apps.listNamespacedDeployment({
      namespace: pipeline.metadata.namespace,
      labelSelector: selector(pipeline),
    });
    return list.items.filter((d) => ownedBy(d, pipeline));
  }

  async services(pipeline: StreamingPipeline): Promise<V1Service[]> {
    const list = await this.clients.core.listNamespacedService({
      namespace: pipeline.metadata.namespace,
      labelSelector: selector(pipeline),
    });
    return list.items.filter((s) => ownedBy(s, pipeline));
  }

  async deleteDeployment(namespace: string, name: string): Promise<void> {
    try {
      await this.clients.apps.deleteNamespacedDeployment({
        namespace,
        name,
        propagationPolicy: "Background",
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async deleteService(namespace: string, name: string): Promise<void> {
    try {
      await this.clients.core.deleteNamespacedService({ namespace, name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function selector(pipeline: StreamingPipeline): string {
  return `${MANAGED_SELECTOR},app.kubernetes.io/instance=${pipeline.metadata.name}`;
}

function ownedBy(
  obj: { metadata?: { ownerReferences?: Array<{ uid: string }> } },
  pipeline: StreamingPipeline,
): boolean {
  return obj.metadata?.ownerReferences?.some((o) => o.uid === pipeline.metadata.uid) ?? false;
}
