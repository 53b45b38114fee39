import type { Consumer } from "kafkajs";
import { Gauge, type Registry } from "prom-client";
import type { Logger } from "../observability/logger.js";
import type { Readiness } from "../observability/readiness.js";
import { describeKafkaError } from "./errors.js";

/**
 * Mirrors a consumer's group membership into readiness check `kafka` and the gauge
 * `kafka_consumer_connected`: ready once it joined its group, not ready after a crash or a
 * disconnect. A crash kafkajs will not restart from is handed to `onFatal`.
 */
export function trackConsumerHealth(
  consumer: Consumer,
  deps: { readiness: Readiness; registry: Registry; logger: Logger; onFatal: (err: Error) => void },
): void {
  const connected = new Gauge({
    name: "kafka_consumer_connected",
    help: "1 when the consumer is a member of its group, else 0",
    registers: [deps.registry],
  });
  const set = (ok: boolean, detail: string) => {
    deps.readiness.set("kafka", ok, detail);
    connected.set(ok ? 1 : 0);
  };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = Object.entries(payload.memberAssignment)
      .map(([topic, ps]) => `${topic}[${ps.join(",")}]`)
      .join(" ");
    set(true, `member of ${payload.groupId}, assigned ${partitions || "no partitions"}`);
    deps.logger.info(
      { groupId: payload.groupId, assignment: payload.memberAssignment },
      "joined group",
    );
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const reason = describeKafkaError(payload.error);
    set(false, `consumer crashed: ${reason}${payload.restart ? "; restarting" : ""}`);
    deps.logger.error({ err: reason, restart: payload.restart }, "consumer crashed");
    if (!payload.restart) deps.onFatal(payload.error);
  });
  consumer.on(consumer.events.DISCONNECT, () => set(false, "disconnected from Kafka"));
}
