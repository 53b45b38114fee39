import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const repoRoot = resolve(import.meta.dirname, "..").replace(/\/dist$/, "");

/** A local service driven by a hack/ script with `up`, `down` and `status`. */
export interface LocalService {
  name: string;
  script: string;
  /** Set to use an already running service and start nothing. */
  override?: string | undefined;
  /** Extra environment for the script (ports, broker count). */
  env?: Record<string, string>;
}

export const kafkaService = (override?: string): LocalService => ({
  name: "kafka",
  script: "hack/kafka.sh",
  override,
});

export const clusterService = (override?: string): LocalService => ({
  name: "cluster",
  script: "hack/cluster.sh",
  override,
});

/** Runs `script cmd`; the script's progress (stderr) streams to ours, its stdout is returned. */
export async function hack(service: LocalService, cmd: string): Promise<string> {
  const child = run(resolve(repoRoot, service.script), [cmd], {
    cwd: repoRoot,
    env: { ...process.env, ...service.env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60 * 60 * 1000,
  });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  return stdout;
}

async function isUp(service: LocalService): Promise<boolean> {
  try {
    await run(resolve(repoRoot, service.script), ["status"], {
      cwd: repoRoot,
      env: { ...process.env, ...service.env },
    });
    return true;
  } catch {
    return false;
  }
}

export interface RunningService {
  service: LocalService;
  /** What `up` printed last: the bootstrap address or the kubeconfig path. */
  address: string;
  /** Whether this call started it (and so should stop it). */
  started: boolean;
}

/** Starts the service unless it is already up. */
export async function ensureUp(service: LocalService): Promise<RunningService> {
  if (service.override) return { service, address: service.override, started: false };
  const wasUp = await isUp(service);
  const address = (await hack(service, "up")).trim().split("\n").at(-1)?.trim();
  if (!address) throw new Error(`${service.script} up printed no address`);
  return { service, address, started: !wasUp };
}

/** Stops what `ensureUp` started, and nothing else. */
export async function stopIfStarted(running: RunningService): Promise<void> {
  if (running.started) await hack(running.service, "down");
}
