import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { repoRoot } from "./local-services.js";

/** One workload role run as a local process, its JSON logs going to a file. */
export interface WorkloadProcess {
  role: string;
  url: string;
  child: ChildProcess;
  logFile: string;
}

export function startWorkload(
  role: "producer" | "inventory" | "analytics",
  port: number,
  env: Record<string, string>,
  logDir: string,
): WorkloadProcess {
  const logFile = resolve(logDir, `${role}.log`);
  const log = createWriteStream(logFile, { flags: "w" });
  const child = spawn(process.execPath, [resolve(repoRoot, "dist/workloads/src/main.js"), role], {
    cwd: repoRoot,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return { role, url: `http://127.0.0.1:${port}`, child, logFile };
}

/** A port nothing listens on now: the fixed ports of the pods' spec may be taken on this host. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const address = server.address();
  await new Promise((resolveClose) => server.close(resolveClose));
  if (typeof address !== "object" || !address) throw new Error("no port from the OS");
  return address.port;
}

/** Polls `GET /ready` until the workload says it is ready (Kafka connected). */
export async function waitReady(workload: WorkloadProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (workload.child.exitCode !== null) {
      throw new Error(
        `${workload.role} exited with ${workload.child.exitCode}; see ${workload.logFile}`,
      );
    }
    const ok = await fetch(`${workload.url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${workload.role} was not ready within ${timeoutMs} ms; see ${workload.logFile}`);
}

/** SIGTERM (graceful: flush, leave the group), then SIGKILL after a grace period. */
export async function stopWorkload(workload: WorkloadProcess, graceMs = 15_000): Promise<void> {
  if (workload.child.exitCode !== null || workload.child.signalCode !== null) return;
  const exited = once(workload.child, "exit");
  workload.child.kill("SIGTERM");
  const timer = setTimeout(() => workload.child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
