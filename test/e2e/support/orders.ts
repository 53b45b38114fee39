import type { AnalyticsSnapshot } from "../../../workloads/src/analytics/aggregator.js";
import type { E2eConfig } from "./config.js";
import type { Kube } from "./kube.js";
import { withPortForward } from "./port-forward.js";

const BATCH = 1000;

/**
 * POSTs `count` orders to the producer Service through a port-forward, in batches of at most
 * 1000, each answered 202 only once Kafka has it.
 */
export async function sendOrders(
  config: E2eConfig,
  namespace: string,
  pipeline: string,
  count: number,
  tag: string,
): Promise<void> {
  await withPortForward(config, namespace, `svc/${pipeline}-producer`, 8201, async (port) => {
    for (let sent = 0; sent < count; sent += BATCH) {
      const size = Math.min(BATCH, count - sent);
      const orders = Array.from({ length: size }, (_, i) => ({
        user_id: `${tag}-user-${(sent + i) % 101}`,
        item: `${tag}-item-${(sent + i) % 17}`,
        quantity: ((sent + i) % 9) + 1,
      }));
      const response = await fetch(`http://127.0.0.1:${port}/orders/batch`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ orders }),
      });
      const body = (await response.json()) as { count?: number; error?: string };
      if (response.status !== 202 || body.count !== size) {
        throw new Error(`producer answered ${response.status}: ${JSON.stringify(body)}`);
      }
    }
  });
}

/** Each ready analytics pod's figures (GET /metrics.json), read through a port-forward. */
export async function analyticsFigures(
  config: E2eConfig,
  kube: Kube,
  namespace: string,
  pipeline: string,
): Promise<AnalyticsSnapshot[]> {
  const pods = await kube.readyPods(namespace, pipeline, "analytics");
  const figures: AnalyticsSnapshot[] = [];
  for (const pod of pods) {
    figures.push(
      await withPortForward(config, namespace, `pod/${pod.metadata?.name}`, 8202, async (port) => {
        const response = await fetch(`http://127.0.0.1:${port}/metrics.json`);
        return (await response.json()) as AnalyticsSnapshot;
      }),
    );
  }
  return figures;
}
