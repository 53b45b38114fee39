import * as k8s from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION } from "../../../operator/src/api/constants.js";
import type { Condition, StreamingPipeline } from "../../../operator/src/api/types.js";
import { eventually } from "../../support/eventually.js";
import type { E2eConfig } from "./config.js";

/** Reads the cluster under test through the API (what `kubectl get` would show). */
export class Kube {
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly custom: k8s.CustomObjectsApi;

  constructor(config: E2eConfig) {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(config.kubeconfig);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  async pipeline(namespace: string, name: string): Promise<StreamingPipeline | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name,
      })) as StreamingPipeline;
    } catch (err) {
      if (err instanceof k8s.ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Polls the pipeline until `test` holds; fails naming `what` and the last status seen. */
  async waitForPipeline(
    namespace: string,
    name: string,
    what: string,
    test: (p: StreamingPipeline) => boolean,
    timeoutMs = 5 * 60_000,
  ): Promise<StreamingPipeline> {
    let last: StreamingPipeline | undefined;
    try {
      return await eventually(
        what,
        async () => {
          last = await this.pipeline(namespace, name);
          return last && test(last) ? last : undefined;
        },
        timeoutMs,
        2000,
      );
    } catch (err) {
      const status = JSON.stringify(last?.status ?? null, null, 2);
      throw new Error(`${(err as Error).message}; last status of ${namespace}/${name}: ${status}`);
    }
  }

  /** Ready pods of one pipeline component, by the operator's labels. */
  async readyPods(namespace: string, pipeline: string, component: string): Promise<k8s.V1Pod[]> {
    const list = await this.core.listNamespacedPod({
      namespace,
      labelSelector: `app.kubernetes.io/instance=${pipeline},app.kubernetes.io/component=${component}`,
    });
    return list.items.filter(
      (p) =>
        !p.metadata?.deletionTimestamp &&
        p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    );
  }

  async deploymentReplicas(namespace: string, name: string): Promise<number | undefined> {
    const d = await this.apps.readNamespacedDeployment({ namespace, name });
    return d.spec?.replicas;
  }
}

export function condition(p: StreamingPipeline, type: string): Condition | undefined {
  return p.status?.conditions?.find((c) => c.type === type);
}

export const isReady = (p: StreamingPipeline) => condition(p, "Ready")?.status === "True";
