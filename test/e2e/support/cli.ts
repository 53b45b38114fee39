import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { type RunResult, repoRoot, run } from "../../support/tools.js";
import type { E2eConfig } from "./config.js";

/** Helm's own state (repositories, cache) for the suite, apart from the user's. */
const HELM_HOME = resolve(repoRoot, ".run/e2e/helm");
const helmEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  HELM_CONFIG_HOME: process.env.HELM_CONFIG_HOME ?? resolve(HELM_HOME, "config"),
  HELM_CACHE_HOME: process.env.HELM_CACHE_HOME ?? resolve(HELM_HOME, "cache"),
  HELM_DATA_HOME: process.env.HELM_DATA_HOME ?? resolve(HELM_HOME, "data"),
});

/** kubectl and helm against the cluster under test, as a user would run them. */
export class Cli {
  constructor(private readonly config: E2eConfig) {}

  kubectl(args: readonly string[], input?: string): Promise<RunResult> {
    return run(
      this.config.kubectl,
      ["--kubeconfig", this.config.kubeconfig, ...args],
      input === undefined ? {} : { input },
    );
  }

  async kubectlOk(args: readonly string[], input?: string): Promise<string> {
    return ok("kubectl", args, await this.kubectl(args, input));
  }

  /** `kubectl get ... -o json`, parsed. */
  async getJson<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.kubectlOk(["get", ...args, "-o", "json"])) as T;
  }

  async helm(args: readonly string[]): Promise<RunResult> {
    await mkdir(HELM_HOME, { recursive: true });
    return run(this.config.helm, [...args, "--kubeconfig", this.config.kubeconfig], {
      env: helmEnv(),
    });
  }

  async helmOk(args: readonly string[]): Promise<string> {
    return ok("helm", args, await this.helm(args));
  }
}

function ok(tool: string, args: readonly string[], result: RunResult): string {
  if (result.code !== 0) {
    throw new Error(`${tool} ${args.join(" ")} exited with ${result.code}:\n${result.stderr}`);
  }
  return result.stdout;
}
