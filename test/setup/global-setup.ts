import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, "../..");

declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string;
    kubeconfig: string;
  }
}

/** A local service driven by a hack/ script with `up`, `down` and `status`. */
interface LocalService {
  name: string;
  script: string;
  /** Set to use an already running service and start nothing. */
  override?: string | undefined;
}

/** Runs `script cmd`; the script's progress (stderr) streams to the terminal, stdout is returned. */
async function hack(script: string, cmd: string): Promise<string> {
  const child = run(resolve(repoRoot, script), [cmd], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60 * 60 * 1000,
  });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  return stdout;
}

async function isUp(service: LocalService): Promise<boolean> {
  try {
    await run(resolve(repoRoot, service.script), ["status"], { cwd: repoRoot });
    return true;
  } catch {
    return false;
  }
}

/** Starts the service unless it is already up; returns its address and whether we started it. */
async function ensureUp(service: LocalService): Promise<{ address: string; started: boolean }> {
  if (service.override) return { address: service.override, started: false };
  const wasUp = await isUp(service);
  const lines = (await hack(service.script, "up")).trim().split("\n");
  const address = lines.at(-1)?.trim();
  if (!address) throw new Error(`${service.script} up printed no address`);
  return { address, started: !wasUp };
}

export default async function setup(project: TestProject) {
  const kafka: LocalService = {
    name: "kafka",
    script: "hack/kafka.sh",
    override: process.env.TEST_KAFKA_BROKERS,
  };
  const cluster: LocalService = {
    name: "cluster",
    script: "hack/cluster.sh",
    override: process.env.TEST_KUBECONFIG,
  };
  // Both start in parallel: the cluster's first build is the long pole.
  const [k, c] = await Promise.all([ensureUp(kafka), ensureUp(cluster)]);
  project.provide("kafkaBrokers", k.address);
  project.provide("kubeconfig", c.address);

  return async () => {
    const started = [k.started && kafka, c.started && cluster].filter(
      (s): s is LocalService => s !== false,
    );
    await Promise.all(started.map((s) => hack(s.script, "down")));
  };
}
