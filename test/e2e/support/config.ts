import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { repoRoot, toolPath } from "../../support/tools.js";

/** What the end-to-end suite runs against, from the environment (see test/e2e/README.md). */
export interface E2eConfig {
  kubeconfig: string;
  helm: string;
  kubectl: string;
  /** The project image as the cluster's nodes know it. */
  image: { repository: string; tag: string };
  /** The chart's image.pullPolicy (Never on a node without a registry); else the chart's default. */
  imagePullPolicy: "Always" | "IfNotPresent" | "Never" | undefined;
  /**
   * The Kafka pipelines use: the chart's Strimzi Kafka (the default; needs a Strimzi Cluster
   * Operator, or installStrimzi), or a Kafka at these bootstrap servers (kafka.mode external).
   */
  kafkaBootstrap: string | undefined;
  /** Install the Strimzi Cluster Operator with the chart (its dependency) instead of expecting one. */
  installStrimzi: boolean;
  /** A chart directory or archive with its dependencies in place; else the checkout's chart. */
  chart: string | undefined;
  /** Where logs and events of failed tests go. */
  artifacts: string;
  /** Prefix of every namespace and the release name this run creates. */
  runId: string;
}

export async function e2eConfig(): Promise<E2eConfig> {
  const kubeconfig = process.env.E2E_KUBECONFIG;
  if (!kubeconfig)
    throw new Error("E2E_KUBECONFIG must name the kubeconfig of the cluster to test");
  const image = process.env.E2E_IMAGE ?? "streaming-orders:e2e";
  const at = image.lastIndexOf(":");
  if (at <= image.lastIndexOf("/"))
    throw new Error(`E2E_IMAGE must be repository:tag, got ${image}`);
  const pullPolicy = process.env.E2E_IMAGE_PULL_POLICY || undefined;
  if (pullPolicy && !["Always", "IfNotPresent", "Never"].includes(pullPolicy))
    throw new Error(
      `E2E_IMAGE_PULL_POLICY must be Always, IfNotPresent or Never, got ${pullPolicy}`,
    );
  const runId = `so-e2e-${randomUUID().slice(0, 6)}`;
  return {
    kubeconfig: resolve(kubeconfig),
    helm: process.env.E2E_HELM ?? (await toolPath("helm")),
    kubectl: process.env.E2E_KUBECTL ?? (await toolPath("kubectl")),
    image: { repository: image.slice(0, at), tag: image.slice(at + 1) },
    imagePullPolicy: pullPolicy as E2eConfig["imagePullPolicy"],
    kafkaBootstrap: process.env.E2E_KAFKA_BOOTSTRAP || undefined,
    installStrimzi: process.env.E2E_INSTALL_STRIMZI === "true",
    chart: process.env.E2E_CHART ? resolve(process.env.E2E_CHART) : undefined,
    artifacts: resolve(process.env.E2E_ARTIFACTS ?? resolve(repoRoot, ".run/e2e/artifacts"), runId),
    runId,
  };
}
