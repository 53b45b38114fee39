import { resolve } from "node:path";
import { pino } from "pino";
import { repoRoot } from "../local-services.js";
import { podsDemo } from "./pods.js";
import { processesDemo } from "./processes.js";

// `make demo`: the main job. DEMO_MODE=pods (the default) runs it as a user would see it, with
// the operator and the workloads in pods on this machine's cluster with its node (root);
// DEMO_MODE=processes runs them as local processes on the node-less cluster (no root needed).
const log = pino({ base: { script: "demo" } }, pino.destination(2));
const mode = process.env.DEMO_MODE ?? "pods";
const orders = Number(process.env.DEMO_ORDERS ?? 10_000);
const backlog = Number(process.env.DEMO_BACKLOG ?? 30_000);
const options = {
  orders,
  backlog,
  namespace: process.env.DEMO_NAMESPACE ?? "streaming-orders-demo",
  outDir: resolve(repoRoot, ".run/demo"),
  log,
};

async function main() {
  if (!Number.isInteger(orders) || orders < 1)
    throw new Error("DEMO_ORDERS must be a positive integer");
  if (!Number.isInteger(backlog) || backlog < 0)
    throw new Error(
      "DEMO_BACKLOG must be 0 (no autoscaling and replay acts) or a positive integer",
    );
  if (mode === "processes") return processesDemo(options);
  if (mode !== "pods") throw new Error(`DEMO_MODE must be pods or processes, got ${mode}`);
  if (process.getuid?.() !== 0)
    throw new Error(
      "the demo's pods need root (the local node uses network namespaces, mounts and cgroups): " +
        "run it as root, or DEMO_MODE=processes make demo for the workloads as local processes",
    );
  return podsDemo(options);
}

main().catch((err: unknown) => {
  log.fatal({ err }, "demo failed");
  process.exitCode = 1;
});
