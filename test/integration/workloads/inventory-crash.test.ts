import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../../workloads/src/config/env.js";
import { decodeInventoryResult, encodeEvent } from "../../../workloads/src/events/codec.js";
import { newOrderPlaced } from "../../../workloads/src/events/order-placed.js";
import type { OrderPlaced } from "../../../workloads/src/events/types.js";
import { inventoryResultFor } from "../../../workloads/src/inventory/decide.js";
import { eventually } from "../../support/eventually.js";
import { testKafka, uniqueName } from "../../support/kafka.js";
import {
  compileWorkloads,
  countByKey,
  createPipelineTopics,
  deletePipeline,
  groupCaughtUp,
  readTopic,
  roleEnv,
  uniquePipelineNames,
} from "./harness.js";

// The inventory consumer runs as a real process (the compiled entry point, as in its image) and is
// killed with SIGKILL while it works through a stream that is still being produced.
const kafka = testKafka("inventory-crash-it");
const names = uniquePipelineNames("inventory-crash");
const total = 20_000;
let admin: Admin;
let build: Awaited<ReturnType<typeof compileWorkloads>>;
let env: Env;
const children: ChildProcess[] = [];
const output: string[] = [];

function startInventoryProcess(): ChildProcess {
  const child = spawn(process.execPath, [build.main, "inventory"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  children.push(child);
  return child;
}

async function committedOrders(): Promise<number> {
  const [committed] = await admin.fetchOffsets({
    groupId: names.inventoryGroup,
    topics: [names.orders],
  });
  return committed?.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0) ?? 0;
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  [build] = await Promise.all([compileWorkloads(), createPipelineTopics(admin, names)]);
  env = roleEnv(names, "inventory", {
    // The same id across restarts, as a replica keeps its HOSTNAME: the restart fences the old one.
    INVENTORY_TRANSACTIONAL_ID: uniqueName("inventory-crash-tx"),
    // Small fetches, so there are many transactions to interrupt.
    KAFKA_CONSUMER_MAX_BYTES_PER_PARTITION: "32768",
    LOG_LEVEL: "info",
  });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await deletePipeline(admin, names);
  await admin.disconnect();
  await build?.remove();
});

describe("the inventory consumer killed with SIGKILL mid-stream", () => {
  it("loses no order and makes no second result for any order after a restart", async () => {
    const orders: OrderPlaced[] = [];
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const produce = async (batches: number, pauseMs: number) => {
      for (let batch = 0; batch < batches; batch++) {
        const events = Array.from({ length: 1000 }, (_, i) =>
          newOrderPlaced(
            { user_id: `u-${i}`, item: "widget", quantity: 1 },
            new Date().toISOString(),
          ),
        );
        await producer.send({
          topic: names.orders,
          acks: -1,
          messages: events.map((e) => ({ key: e.order_id, value: encodeEvent(e) })),
        });
        orders.push(...events);
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    };
    // A backlog, so the consumer is busy (inside a transaction) when it is killed, then more
    // orders while it is down and restarting.
    await produce(total / 2000, 0);
    const produceRest = produce(total / 2000, 500).then(() => producer.disconnect());

    let current = startInventoryProcess();
    for (const threshold of [2000, 5000, 8000]) {
      await eventually(`the consumer to commit ${threshold} orders`, async () =>
        (await committedOrders()) >= threshold ? true : undefined,
      );
      current.kill("SIGKILL");
      await once(current, "exit");
      expect(await committedOrders()).toBeLessThan(total);
      current = startInventoryProcess();
    }
    await produceRest;
    await eventually(
      "the restarted process to commit the end of order-events",
      async () =>
        (await groupCaughtUp(admin, names.inventoryGroup, names.orders)) ? true : undefined,
      90_000,
    );

    // read_committed, as analytics reads: writes of the transactions the kills interrupted were
    // aborted (a read_uncommitted reader sees hundreds of them) and are not here.
    const results = await readTopic(kafka, names.inventory);
    const perOrder = countByKey(results);
    expect(orders).toHaveLength(total);
    expect(perOrder.size).toBe(total);
    expect([...perOrder.values()].filter((n) => n !== 1)).toEqual([]);
    const byOrder = new Map(results.map((m) => [String(m.key), decodeInventoryResult(m.value)]));
    const wrong = orders.filter((order) => {
      const decoded = byOrder.get(order.order_id);
      return (
        !decoded?.ok || JSON.stringify(decoded.event) !== JSON.stringify(inventoryResultFor(order))
      );
    });
    expect(wrong).toEqual([]);

    // A graceful stop leaves the group and exits 0.
    current.kill("SIGTERM");
    const [code] = await once(current, "exit");
    expect(code).toBe(0);
    expect(output.join("")).toContain('"msg":"inventory consumer stopped"');
  });
});
