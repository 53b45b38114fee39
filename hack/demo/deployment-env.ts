import type { V1Deployment } from "@kubernetes/client-node";

/**
 * The plain environment of a Deployment's first container: what its pods would see, so a local
 * process can run with exactly the operator's settings. Secret references cannot be resolved
 * outside a pod and are refused.
 */
export function deploymentEnv(deployment: V1Deployment): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of deployment.spec?.template.spec?.containers[0]?.env ?? []) {
    if (e.value === undefined) {
      throw new Error(
        `${deployment.metadata?.name}: ${e.name} comes from a Secret or field reference, which a local process cannot read`,
      );
    }
    env[e.name] = e.value;
  }
  return env;
}

/** The role a workload Deployment runs: the last argument of its command (`... main.js <role>`). */
export function deploymentRole(deployment: V1Deployment): string | undefined {
  return deployment.spec?.template.spec?.containers[0]?.command?.at(-1);
}
