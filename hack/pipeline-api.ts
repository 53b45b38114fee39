// Calls to the API server the demo and benchmarks share: install the CRD, apply pipelines, read
// back what the operator made. Objects go as server-side apply, as `kubectl apply --server-side` does.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import * as k8s from "@kubernetes/client-node";
import yaml from "js-yaml";
import { GROUP, PLURAL, VERSION } from "../operator/src/api/constants.js";
import type { StreamingPipeline } from "../operator/src/api/types.js";
import { repoRoot } from "./local-services.js";

const FIELD_MANAGER = "streaming-orders-hack";
const applyHeader = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply);

export interface PipelineApi {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
  extensions: k8s.ApiextensionsV1Api;
}

export function pipelineApi(kubeconfigPath: string): PipelineApi {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    extensions: kc.makeApiClient(k8s.ApiextensionsV1Api),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Applies crds/streamingpipeline.yaml and waits until the API server serves the kind. */
export async function installCrd(kube: PipelineApi): Promise<void> {
  const crd = yaml.load(
    await readFile(resolve(repoRoot, "crds/streamingpipeline.yaml"), "utf8"),
  ) as k8s.V1CustomResourceDefinition;
  const name = crd.metadata?.name ?? "";
  // Sent as is: the typed serializer would drop the x-kubernetes-* keys of the schema.
  await kube.extensions.patchCustomResourceDefinition(
    { name, body: crd, fieldManager: FIELD_MANAGER, force: true },
    applyHeader,
  );
  await until("the StreamingPipeline CRD to be established", async () => {
    const got = await kube.extensions.readCustomResourceDefinition({ name });
    const established = got.status?.conditions?.some(
      (c) => c.type === "Established" && c.status === "True",
    );
    return established ? true : undefined;
  });
}

export async function ensureNamespace(kube: PipelineApi, name: string): Promise<void> {
  await kube.core.patchNamespace(
    {
      name,
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
      fieldManager: FIELD_MANAGER,
    },
    applyHeader,
  );
}

const pipelineRef = (namespace: string, name: string) => ({
  group: GROUP,
  version: VERSION,
  namespace,
  plural: PLURAL,
  name,
});

export async function readPipeline(
  kube: PipelineApi,
  namespace: string,
  name: string,
): Promise<StreamingPipeline | undefined> {
  try {
    return (await kube.custom.getNamespacedCustomObject(
      pipelineRef(namespace, name),
    )) as StreamingPipeline;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** Deletes the pipeline if it exists and waits until it (and its finalizer's work) is gone. */
export async function deletePipeline(kube: PipelineApi, namespace: string, name: string) {
  if (!(await readPipeline(kube, namespace, name))) return;
  await kube.custom.deleteNamespacedCustomObject(pipelineRef(namespace, name));
  await until(`the old pipeline ${namespace}/${name} to be gone`, async () =>
    (await readPipeline(kube, namespace, name)) ? undefined : true,
  );
}

/** examples/pipeline.yaml, pointed at `bootstrapServers`, in `namespace`. */
export async function examplePipeline(
  namespace: string,
  bootstrapServers: string,
): Promise<StreamingPipeline> {
  const p = yaml.load(
    await readFile(resolve(repoRoot, "examples/pipeline.yaml"), "utf8"),
  ) as StreamingPipeline;
  p.metadata.namespace = namespace;
  p.spec.kafka = { bootstrapServers };
  return p;
}

export async function applyPipeline(kube: PipelineApi, p: StreamingPipeline): Promise<void> {
  await kube.custom.patchNamespacedCustomObject(
    {
      ...pipelineRef(p.metadata.namespace, p.metadata.name),
      body: p,
      fieldManager: FIELD_MANAGER,
      force: true,
    },
    applyHeader,
  );
}

/** Waits until `ready` holds for the pipeline as the API server has it, and returns it. */
export function waitForPipeline(
  kube: PipelineApi,
  namespace: string,
  name: string,
  what: string,
  ready: (p: StreamingPipeline) => boolean,
  timeoutMs = 60_000,
): Promise<StreamingPipeline> {
  return until(
    what,
    async () => {
      const p = await readPipeline(kube, namespace, name);
      return p && ready(p) ? p : undefined;
    },
    timeoutMs,
  );
}

/** The Deployments the operator made for the pipeline, by name. */
export async function pipelineDeployments(
  kube: PipelineApi,
  namespace: string,
  pipeline: string,
): Promise<k8s.V1Deployment[]> {
  const list = await kube.apps.listNamespacedDeployment({
    namespace,
    labelSelector: `app.kubernetes.io/instance=${pipeline}`,
  });
  return list.items;
}
