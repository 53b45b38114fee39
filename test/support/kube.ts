import * as k8s from "@kubernetes/client-node";
import { inject } from "vitest";

/** A KubeConfig for the API server the global setup started. */
export function testKubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(inject("kubeconfig"));
  return kc;
}
