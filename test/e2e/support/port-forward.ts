import { spawn } from "node:child_process";
import type { E2eConfig } from "./config.js";

export interface PortForward {
  /** The local port forwarding to the target. */
  port: number;
  close(): void;
}

/**
 * `kubectl port-forward <target> :<port>`, the way a user reaches a Service or pod from their
 * machine; resolves once kubectl says which local port it picked.
 */
export function portForward(
  config: E2eConfig,
  namespace: string,
  target: string,
  remotePort: number,
): Promise<PortForward> {
  const child = spawn(
    config.kubectl,
    [
      "--kubeconfig",
      config.kubeconfig,
      "-n",
      namespace,
      "port-forward",
      "--address=127.0.0.1",
      target,
      `:${remotePort}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(output);
      if (match) {
        child.stdout.off("data", onData);
        resolve({ port: Number(match[1]), close: () => child.kill("SIGTERM") });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      reject(new Error(`kubectl port-forward ${target} exited with ${code}: ${output.trim()}`)),
    );
  });
}

/** Runs `use` with a port-forward open, and closes it afterwards. */
export async function withPortForward<T>(
  config: E2eConfig,
  namespace: string,
  target: string,
  remotePort: number,
  use: (port: number) => Promise<T>,
): Promise<T> {
  const forward = await portForward(config, namespace, target, remotePort);
  try {
    return await use(forward.port);
  } finally {
    forward.close();
  }
}
