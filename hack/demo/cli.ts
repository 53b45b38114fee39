import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../local-services.js";

const exec = promisify(execFile);
const paths = new Map<string, Promise<string>>();

/** The pinned tool (`hack/tools.sh path NAME`), never one from PATH. */
function tool(name: "kubectl" | "helm"): Promise<string> {
  let path = paths.get(name);
  if (!path) {
    path = exec(resolve(repoRoot, "hack/tools.sh"), ["path", name]).then((r) => r.stdout.trim());
    paths.set(name, path);
  }
  return path;
}

/** What `kubectl` prints: the user's own view of the cluster. */
export async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec(await tool("kubectl"), ["--kubeconfig", kubeconfig, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** `helm`, with its repositories and cache under .run/demo/helm rather than the user's. */
export async function helm(kubeconfig: string, ...args: string[]): Promise<string> {
  const home = resolve(repoRoot, ".run/demo/helm");
  await mkdir(home, { recursive: true });
  const { stdout } = await exec(await tool("helm"), [...args, "--kubeconfig", kubeconfig], {
    env: {
      ...process.env,
      HELM_CONFIG_HOME: resolve(home, "config"),
      HELM_CACHE_HOME: resolve(home, "cache"),
      HELM_DATA_HOME: resolve(home, "data"),
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}
