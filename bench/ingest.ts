import { Agent, request } from "node:http";
import { Kafka, logLevel } from "kafkajs";
import { demoOrder } from "../hack/demo/send-orders.js";
import { ensureUp, kafkaService, stopIfStarted } from "../hack/local-services.js";
import { startWorkload, stopWorkload, waitReady } from "../hack/workload-process.js";
import { drawBars, writeResult } from "./lib/results.js";
import { benchTopic, orderMessages, runDir } from "./lib/scratch.js";
import { quantile, round } from "./lib/stats.js";

const BATCH = 1000;
const BATCH_EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 200_000);
const CLIENTS = Number(process.env.BENCH_INGEST_CLIENTS ?? 8);
const SINGLE_RPS = 500;
const SINGLE_SECONDS = Number(process.env.BENCH_SINGLE_SECONDS ?? 20);
const PORT = 18201;

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One POST with a keep-alive connection; resolves to the status and the elapsed milliseconds. */
function post(path: string, body: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolveRequest, reject) => {
    const start = process.hrtime.bigint();
    const req = request(
      {
        host: "127.0.0.1",
        port: PORT,
        path,
        method: "POST",
        agent,
        headers: { "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolveRequest({
            status: res.statusCode ?? 0,
            ms: Number(process.hrtime.bigint() - start) / 1e6,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs `work(i)` for i in [0, count) with `concurrency` in flight; returns elapsed seconds. */
async function timed(count: number, concurrency: number, work: (i: number) => Promise<void>) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return (performance.now() - start) / 1000;
}

const batchBody = (batch: number) =>
  JSON.stringify({ orders: Array.from({ length: BATCH }, (_, k) => demoOrder(batch * BATCH + k)) });

async function main() {
  const kafka = await ensureUp(kafkaService(process.env.TEST_KAFKA_BROKERS));
  const topic = await benchTopic(kafka.address, "bench-ingest");
  const producer = startWorkload(
    "producer",
    PORT,
    { KAFKA_BOOTSTRAP_SERVERS: kafka.address, ORDER_EVENTS_TOPIC: topic.name, LOG_LEVEL: "warn" },
    runDir,
  );
  try {
    await waitReady(producer);
    const batches = Math.ceil(BATCH_EVENTS / BATCH);
    const bodies = Array.from({ length: Math.min(batches, 32) }, (_, b) => batchBody(b));

    // Warm-up: JIT, connections, producer metadata.
    await timed(
      8,
      CLIENTS,
      async (i) => void (await post("/orders/batch", bodies[i % bodies.length] ?? "")),
    );

    const httpSeconds = await timed(batches, CLIENTS, async (i) => {
      const { status } = await post("/orders/batch", bodies[i % bodies.length] ?? "");
      if (status !== 202) throw new Error(`batch answered ${status}`);
    });
    const batchEventsPerS = (batches * BATCH) / httpSeconds;

    // The same events, serialized the same way, through a raw kafkajs producer.
    const client = new Kafka({ brokers: kafka.address.split(","), logLevel: logLevel.NOTHING });
    const raw = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await raw.connect();
    const messages = (b: number) => orderMessages(b * BATCH, BATCH);
    await raw.send({ topic: topic.name, acks: -1, messages: messages(0) });
    const rawSeconds = await timed(batches, CLIENTS, async (b) => {
      await raw.send({ topic: topic.name, acks: -1, messages: messages(b) });
    });
    await raw.disconnect();
    const rawEventsPerS = (batches * BATCH) / rawSeconds;

    // Single orders at a fixed rate: latency as a client sees it, open loop.
    const latencies: number[] = [];
    const single = JSON.stringify(demoOrder(42));
    const total = SINGLE_RPS * SINGLE_SECONDS;
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / SINGLE_RPS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(
        post("/order", single).then(({ status, ms }) => {
          if (status !== 202) throw new Error(`order answered ${status}`);
          latencies.push(ms);
        }),
      );
    }
    await Promise.all(inFlight);
    const achievedRps = total / ((performance.now() - start) / 1000);

    await writeResult("ingest", {
      batch_events_per_s: round(batchEventsPerS),
      raw_kafkajs_events_per_s: round(rawEventsPerS),
      ratio: round(batchEventsPerS / rawEventsPerS),
      batch_size: BATCH,
      clients: CLIENTS,
      events: batches * BATCH,
      single_rps_target: SINGLE_RPS,
      single_rps_achieved: round(achievedRps),
      single_requests: total,
      single_p50_ms: round(quantile(latencies, 0.5)),
      single_p95_ms: round(quantile(latencies, 0.95)),
      single_p99_ms: round(quantile(latencies, 0.99)),
    });
    await drawBars("ingest", "Ingest of 1000-order batches (events/s)", [
      { label: "producer HTTP batch API", value: batchEventsPerS },
      { label: "raw kafkajs producer", value: rawEventsPerS },
    ]);
  } finally {
    agent.destroy();
    await stopWorkload(producer);
    await topic.remove();
    await stopIfStarted(kafka);
  }
}

await main();
