import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../local-services.js";

const run = promisify(execFile);
const script = resolve(repoRoot, "hack/local-stack.sh");

/** `key=value` lines (what hack/local-stack.sh prints) as an object; other lines are ignored. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export type StackPart = "cluster" | "kafka";

/** The local stack (hack/local-stack.sh): the cluster with its node, Kafka, the image. */
export interface Stack {
  kubeconfig: string;
  /** Kafka for this machine's clients. */
  bootstrap: string;
  /** Kafka for pods. */
  podBootstrap: string;
  /** The project image as the node knows it, repository:tag. */
  image: string;
  /** The parts this call started, which `stackDown` stops. */
  started: StackPart[];
}

async function stack(args: string[], failOk = false): Promise<Record<string, string>> {
  const child = run(script, args, {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60 * 60 * 1000,
  });
  child.child.stderr?.pipe(process.stderr);
  try {
    return parseKeyValues((await child).stdout);
  } catch (err) {
    const stdout = (err as { stdout?: string }).stdout;
    if (failOk && stdout !== undefined) return parseKeyValues(stdout);
    throw err;
  }
}

/** The parts of the stack that `status` reports down, i.e. those `up` will start. */
export function partsDown(status: Record<string, string>): StackPart[] {
  return (["cluster", "kafka"] as const).filter((p) => status[p] === "down");
}

/**
 * Takes the instance for this process (waiting while the end-to-end suite has it), brings the
 * stack up (reusing what runs) and says what it started.
 */
export async function stackUp(owner = "make demo"): Promise<Stack> {
  await stack(["claim", owner, String(process.pid)]);
  const started = partsDown(await stack(["status"], true));
  let up: Record<string, string>;
  try {
    up = await stack(["up"]);
  } catch (err) {
    await stackDown(started).catch(() => undefined);
    throw err;
  }
  const { kubeconfig, bootstrap, image } = up;
  const podBootstrap = up["pod-bootstrap"];
  if (!kubeconfig || !bootstrap || !podBootstrap || !image)
    throw new Error(`hack/local-stack.sh up printed ${JSON.stringify(up)}`);
  return { kubeconfig, bootstrap, podBootstrap, image, started };
}

/** Stops the given parts (Kafka first: its pod listener is on the node link), gives the instance back. */
export async function stackDown(parts: StackPart[]): Promise<void> {
  const ordered = (["kafka", "cluster"] as const).filter((p) => parts.includes(p));
  try {
    if (ordered.length) await stack(["down", ...ordered]);
  } finally {
    await stack(["release", String(process.pid)]);
  }
}
