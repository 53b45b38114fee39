import type { Logger } from "pino";
import { REPLAY_ANNOTATION } from "../../operator/src/api/constants.js";
import type { StreamingPipeline } from "../../operator/src/api/types.js";
import { type PipelineApi, waitForPipeline } from "../pipeline-api.js";
import { countedAll, type Figures } from "./figures.js";
import { ordersBar, write } from "./report.js";
import { sendOrders } from "./send-orders.js";

// The demo's second and third acts, on the pipeline the first one ran: a backlog the autoscaler
// works off (inventory up to the partition count and back), then a replay of analytics by
// `kubectl annotate` that must reproduce its figures. What a user types is printed before it runs.

export interface ActContext {
  kube: PipelineApi;
  namespace: string;
  pipeline: string;
  producerUrl: string;
  log: Logger;
  /** kubectl with the stack's kubeconfig; returns stdout. */
  kubectl: (...args: string[]) => Promise<string>;
  /** The analytics pods' figures, added up. */
  figures: () => Promise<Figures>;
  /** Polls until the probe returns a value. */
  until: <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) => Promise<T>;
}

const MINUTE = 60_000;
const consumerStatus = (p: StreamingPipeline, name: string) =>
  p.status?.consumers?.find((c) => c.name === name);

async function runShown(ctx: ActContext, args: string[]): Promise<void> {
  write(
    `$ kubectl -n ${ctx.namespace} ${args.map((a) => (/[\s{}"]/.test(a) ? `'${a}'` : a)).join(" ")}\n`,
  );
  write(await ctx.kubectl("-n", ctx.namespace, ...args));
}

/** Sets fields of one consumer of the pipeline, found by name (keys are JSON-pointer paths below it). */
async function patchConsumer(
  ctx: ActContext,
  consumer: string,
  fields: Record<string, unknown>,
): Promise<void> {
  const current = await ctx.kube.custom.getNamespacedCustomObject({
    group: "streaming-orders.io",
    version: "v1alpha1",
    namespace: ctx.namespace,
    plural: "streamingpipelines",
    name: ctx.pipeline,
  });
  const index = (current as StreamingPipeline).spec.consumers.findIndex((c) => c.name === consumer);
  if (index < 0) throw new Error(`the pipeline has no consumer ${consumer}`);
  const ops = Object.entries(fields).map(([key, value]) => ({
    op: "add",
    path: `/spec/consumers/${index}/${key}`,
    value,
  }));
  await runShown(ctx, ["patch", `sp/${ctx.pipeline}`, "--type=json", "-p", JSON.stringify(ops)]);
}

/**
 * Act 2: inventory stopped while `backlog` orders arrive, then autoscaling on (a short sync period
 * and stabilization window so the demo need not wait five minutes): the operator scales inventory
 * to the partition count, the backlog drains, and after the window it scales back to one.
 */
export async function backlogAct(ctx: ActContext, backlog: number, ordersBefore: number) {
  write(
    `\nAct 2: a backlog of ${backlog.toLocaleString("en-US")} orders for a stopped inventory consumer, then the autoscaler\n\n`,
  );
  await patchConsumer(ctx, "inventory", { "autoscaling/enabled": false, replicas: 0 });
  await ctx.until(
    "inventory stopped",
    async () => {
      const d = await ctx.kube.apps.readNamespacedDeployment({
        namespace: ctx.namespace,
        name: `${ctx.pipeline}-inventory`,
      });
      return (d.status?.replicas ?? 0) === 0 ? true : undefined;
    },
    2 * MINUTE,
  );
  ctx.log.info({ backlog }, "sending the backlog while inventory is stopped");
  const bar = ordersBar(backlog);
  await sendOrders(ctx.producerUrl, backlog, ({ sent }) => bar.update(sent));
  bar.stop();

  await patchConsumer(ctx, "inventory", {
    autoscaling: {
      enabled: true,
      minReplicas: 1,
      maxReplicas: 10,
      lagThreshold: 100,
      syncPeriodSeconds: 5,
      scaleDownStabilizationSeconds: 30,
    },
  });
  let most = 0;
  const up = await waitForPipeline(
    ctx.kube,
    ctx.namespace,
    ctx.pipeline,
    "inventory started again by the autoscaler",
    (p) => {
      most = Math.max(most, consumerStatus(p, "inventory")?.desiredReplicas ?? 0);
      return most >= 1;
    },
    3 * MINUTE,
  );
  const scaled = consumerStatus(up, "inventory");
  write(
    `\nThe operator saw a lag of ${(scaled?.lag ?? 0).toLocaleString("en-US")} and asked for ${scaled?.desiredReplicas} replicas ` +
      `(maxReplicas 10, ${scaled?.partitions} partitions): ${scaled?.lastDecision?.reason ?? ""}\n`,
  );
  ctx.log.info("waiting until the backlog is worked off and inventory is back at one replica");
  const total = ordersBefore + backlog;
  await ctx.until(
    `analytics to count all ${total} orders`,
    async () => (countedAll(await ctx.figures(), total) ? true : undefined),
    5 * MINUTE,
  );
  const down = await waitForPipeline(
    ctx.kube,
    ctx.namespace,
    ctx.pipeline,
    "inventory back at one replica with no lag",
    (p) => {
      const c = consumerStatus(p, "inventory");
      return c?.lag === 0 && c.desiredReplicas === 1 && c.readyReplicas === 1;
    },
    5 * MINUTE,
  );
  write(
    `Backlog worked off; inventory back at ${consumerStatus(down, "inventory")?.readyReplicas} replica. The operator's scaling Events:\n`,
  );
  const events = await ctx.kube.core.listNamespacedEvent({
    namespace: ctx.namespace,
    fieldSelector: `involvedObject.name=${ctx.pipeline}`,
  });
  for (const e of events.items) {
    if (/^\S+: \d+ → \d+ replicas/.test(e.message ?? "")) write(`  ${e.reason}: ${e.message}\n`);
  }
  return most;
}

/**
 * Act 3: `kubectl annotate` replays analytics from the earliest offset; the operator stops it,
 * moves its group's offsets, starts it again, and its figures come out as they were.
 */
export async function replayAct(ctx: ActContext, orders: number): Promise<boolean> {
  write("\nAct 3: replay analytics from the earliest offset\n\n");
  const before = await ctx.figures();
  await runShown(ctx, [
    "annotate",
    `sp/${ctx.pipeline}`,
    `${REPLAY_ANNOTATION}=analytics:earliest`,
  ]);
  const done = await waitForPipeline(
    ctx.kube,
    ctx.namespace,
    ctx.pipeline,
    "the replay to complete",
    (p) =>
      p.status?.replay?.request === "analytics:earliest" &&
      p.status.replay.phase === "Completed" &&
      p.metadata.annotations?.[REPLAY_ANNOTATION] === undefined,
    5 * MINUTE,
  );
  write(
    `Replay Completed: ${(done.status?.replay?.eventsToReprocess ?? 0).toLocaleString("en-US")} events to reprocess; the annotation is gone.\n`,
  );
  ctx.log.info("waiting until the restarted analytics pods have counted every order again");
  let after = await ctx.until(
    "analytics to count every order again",
    async () => {
      const f = await ctx.figures();
      return countedAll(f, orders) ? f : undefined;
    },
    5 * MINUTE,
  );
  // Every order counted is not yet the end of the log (duplicates and invalid events may follow):
  // the figures must settle on the earlier ones within a minute.
  const same = await ctx
    .until(
      "the figures to match those before the replay",
      async () => {
        after = await ctx.figures();
        return JSON.stringify(comparable(after)) === JSON.stringify(comparable(before))
          ? true
          : undefined;
      },
      MINUTE,
    )
    .catch(() => false);
  write(
    `Figures after the replay ${same ? "are identical to" : "DIFFER from"} those before it ` +
      `(total ${after.total_orders}, reserved ${after.reserved_orders}, failed ${after.failed_orders}).\n`,
  );
  if (!same) write(`before: ${JSON.stringify(before)}\nafter:  ${JSON.stringify(after)}\n`);
  return same;
}

/** The figures a replay must reproduce: all but how many pods reported them. */
function comparable(f: Figures) {
  const { pods: _, ...rest } = f;
  return rest;
}
