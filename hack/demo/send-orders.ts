import { randomUUID } from "node:crypto";

export interface SendProgress {
  sent: number;
  total: number;
}

const items = ["keyboard", "mouse", "monitor", "laptop", "headset", "webcam", "dock", "cable"];

/** A plausible order, deterministic in its index so demo runs are comparable. */
export function demoOrder(i: number) {
  return {
    user_id: `user-${(i * 7919) % 500}`,
    item: items[i % items.length] ?? "keyboard",
    quantity: 1 + (i % 5),
  };
}

/**
 * Sends `total` orders to the producer's batch API, `batchSize` per request and `concurrency`
 * requests in flight, calling `onProgress` after every accepted batch. Fails on any answer but 202.
 */
export async function sendOrders(
  producerUrl: string,
  total: number,
  onProgress: (p: SendProgress) => void,
  { batchSize = 1000, concurrency = 4 } = {},
): Promise<string[]> {
  const orderIds: string[] = [];
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < total) {
      const start = next;
      const count = Math.min(batchSize, total - start);
      next += count;
      const orders = Array.from({ length: count }, (_, k) => demoOrder(start + k));
      const response = await fetch(`${producerUrl}/orders/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": randomUUID() },
        body: JSON.stringify({ orders }),
      });
      const body = (await response.json()) as { order_ids?: string[]; error?: string };
      if (response.status !== 202 || !body.order_ids) {
        throw new Error(`batch at ${start} answered ${response.status}: ${JSON.stringify(body)}`);
      }
      orderIds.push(...body.order_ids);
      sent += count;
      onProgress({ sent, total });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return orderIds;
}
