// `helm test`: sends a batch of orders to a pipeline's producer and waits until its analytics
// consumers have counted them. Runs with the project image's Node and nothing else.
//
//   PRODUCER_URL     http://<pipeline>-producer.<namespace>:8201
//   ANALYTICS_HOST   a name resolving to every analytics pod (a headless Service)
//   ANALYTICS_PORT   their HTTP port (GET /metrics.json)
//   ORDERS           how many orders to send (1..1000)
//   TIMEOUT_SECONDS  how long to wait for all of it
import { lookup } from "node:dns/promises";

const env = (name) => {
  const value = process.env[name];
  if (!value) fail(`${name} is not set`);
  return value;
};
const producerUrl = env("PRODUCER_URL");
const analyticsHost = env("ANALYTICS_HOST");
const analyticsPort = Number(env("ANALYTICS_PORT"));
const orders = Number(env("ORDERS"));
const deadline = Date.now() + Number(env("TIMEOUT_SECONDS")) * 1000;
const RETRY_MS = 2000;

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `attempt` until it returns a value, or fails with the last reason at the deadline. */
async function retry(what, attempt) {
  let reason = "no attempt finished";
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      reason = "not yet";
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
    await sleep(RETRY_MS);
  }
  return fail(`timed out waiting for ${what}: ${reason}`);
}

/** Orders counted by all analytics pods together (each counts the partitions it owns). */
async function countedOrders() {
  const pods = await lookup(analyticsHost, { all: true });
  if (pods.length === 0) throw new Error(`${analyticsHost} resolves to no pod`);
  let total = 0;
  for (const pod of pods) {
    const host = pod.family === 6 ? `[${pod.address}]` : pod.address;
    const response = await fetch(`http://${host}:${analyticsPort}/metrics.json`, {
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`analytics pod ${pod.address} answered ${response.status}`);
    total += (await response.json()).total_orders;
  }
  return { total, pods: pods.length };
}

async function sendOrders() {
  const batch = Array.from({ length: orders }, (_, i) => ({
    user_id: `helm-test-${i}`,
    item: `helm-test-item-${i % 7}`,
    quantity: (i % 5) + 1,
  }));
  const response = await fetch(`${producerUrl}/orders/batch`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ orders: batch }),
    signal: AbortSignal.timeout(15000),
  });
  const body = await response.json().catch(() => ({}));
  if (response.status === 503) throw new Error(`producer cannot write to Kafka yet: ${body.error}`);
  if (response.status !== 202) fail(`producer answered ${response.status}: ${JSON.stringify(body)}`);
  if (body.count !== orders) fail(`producer accepted ${body.count} of ${orders} orders`);
  return body;
}

const before = await retry("the analytics pods to answer", countedOrders);
console.log(`analytics: ${before.total} orders counted by ${before.pods} pod(s)`);
await retry(`the producer at ${producerUrl} to accept orders`, sendOrders);
console.log(`producer: ${orders} orders accepted`);
const after = await retry(`analytics to count ${orders} more orders`, async () => {
  const now = await countedOrders();
  return now.total >= before.total + orders ? now : undefined;
});
console.log(`PASS: analytics counted ${after.total - before.total} new orders (sent ${orders})`);
