import { randomUUID } from "node:crypto";
import type { KubernetesObject } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { inject } from "vitest";
import { type RunResult, run, runOk, toolPath } from "../../support/tools.js";

/** kubectl against the API server the global setup started. */
export async function kubectl(args: readonly string[], input?: string): Promise<RunResult> {
  const binary = await toolPath("kubectl");
  return run(binary, ["--kubeconfig", inject("kubeconfig"), ...args], input ? { input } : {});
}

async function kubectlOk(args: readonly string[], input?: string): Promise<string> {
  const binary = await toolPath("kubectl");
  return runOk(binary, ["--kubeconfig", inject("kubeconfig"), ...args], input ? { input } : {});
}

/** Installs (or updates) the StreamingPipeline CRD from crds/, as the operator tests do. */
export async function installPipelineCrd(path: string): Promise<void> {
  await kubectlOk([
    "apply",
    "--server-side",
    "--force-conflicts",
    "--field-manager=streaming-orders-tests",
    "-f",
    path,
  ]);
  await kubectlOk([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/streamingpipelines.streaming-orders.io",
  ]);
}

export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await kubectlOk(["create", "namespace", name]);
  return name;
}

export async function deleteNamespaces(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await kubectl(["delete", "namespace", "--wait=false", "--ignore-not-found", ...names]);
}

const servedKinds = new Map<string, Set<string>>();

/** Whether the API server serves this apiVersion and kind (CRDs included). */
export async function isServed(apiVersion: string, kind: string): Promise<boolean> {
  let kinds = servedKinds.get(apiVersion);
  if (!kinds) {
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const result = await kubectl(["get", "--raw", path]);
    const list =
      result.code === 0
        ? (JSON.parse(result.stdout) as { resources: Array<{ kind: string }> })
        : undefined;
    kinds = new Set(list?.resources.map((r) => r.kind) ?? []);
    servedKinds.set(apiVersion, kinds);
  }
  return kinds.has(kind);
}

/**
 * Server-side apply. With dryRun the API server validates every object (schemas, CEL rules, RBAC
 * escalation checks, admission) and stores nothing.
 */
export function applyObjects(
  objects: readonly KubernetesObject[],
  options: { dryRun?: boolean } = {},
): Promise<RunResult> {
  const stream = objects.map((o) => yaml.dump(o, { noRefs: true })).join("---\n");
  return kubectl(
    [
      "apply",
      "--server-side",
      ...(options.dryRun ? ["--dry-run=server"] : []),
      "--field-manager=streaming-orders-chart-test",
      "-f",
      "-",
    ],
    stream,
  );
}
