import { type Admin, type Kafka, Partitioners, type Producer, type RetryOptions } from "kafkajs";
import type { Logger } from "../observability/logger.js";
import { describeKafkaError } from "./errors.js";

export interface ProducerConnectionOptions {
  kafka: Kafka;
  logger: Logger;
  /** An idle connection is checked this often, so readiness notices a broker that went away. */
  healthCheckIntervalMs: number;
  /** Retries of one send inside kafkajs; bounded, so a send fails rather than hangs. */
  sendRetry: RetryOptions;
  onStateChange: (connected: boolean, detail: string) => void;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;

/**
 * Keeps one connected idempotent producer (acks=all, one request in flight, Java-compatible key
 * partitioning) and replaces it after a failure. A failed send may have been written or not, and
 * kafkajs rewinds its sequence numbers either way; a fresh producer (new producer id) keeps the
 * next sends from colliding with a write the broker did keep. Connects in the background, so the
 * role starts and answers 503 while Kafka is away rather than crashing.
 */
export class ProducerConnection {
  private producer: Producer | undefined;
  /** The producer being connected, so that stop() can abandon a connect that hangs. */
  private connecting: Producer | undefined;
  private admin: Admin | undefined;
  private stopped = false;
  private wake: () => void = () => undefined;
  private loop: Promise<void> | undefined;
  private lastHealthyAt = 0;
  private detail = "connecting to Kafka";

  constructor(private readonly options: ProducerConnectionOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** The connected producer, or undefined while (re)connecting. */
  current(): Producer | undefined {
    return this.producer;
  }

  /** Why there is no connected producer, for error messages. */
  get reason(): string {
    return this.detail;
  }

  /** A send on `producer` succeeded: Kafka is reachable now. */
  markHealthy(): void {
    this.lastHealthyAt = Date.now();
  }

  /** A send on `producer` failed: drop it and reconnect in the background. */
  markFailed(producer: Producer, err: unknown): void {
    if (this.producer !== producer) return;
    this.producer = undefined;
    this.setState(false, describeKafkaError(err));
    this.options.logger.warn(
      { err: describeKafkaError(err) },
      "Kafka producer failed; reconnecting",
    );
    void producer.disconnect().catch(() => undefined);
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    const producers = [this.producer, this.connecting];
    this.producer = undefined;
    // Disconnecting also ends a connect or health check that waits on an unresponsive broker.
    await Promise.all(
      [...producers.map((p) => p?.disconnect()), this.admin?.disconnect()].map((p) =>
        p?.catch(() => undefined),
      ),
    );
    // A connect stuck on a broker that stopped answering finishes on its own; do not wait it out.
    await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  private async run(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.stopped) {
      if (this.producer === undefined) {
        if (await this.connect()) {
          backoff = MIN_BACKOFF_MS;
        } else {
          await this.sleep(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          continue;
        }
      }
      await this.sleep(this.options.healthCheckIntervalMs);
      const producer = this.producer;
      const idleFor = Date.now() - this.lastHealthyAt;
      if (!this.stopped && producer && idleFor >= this.options.healthCheckIntervalMs) {
        await this.checkHealth(producer);
      }
    }
  }

  private async connect(): Promise<boolean> {
    const producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: this.options.sendRetry,
    });
    this.connecting = producer;
    try {
      await producer.connect();
    } catch (err) {
      this.setState(false, `cannot connect to Kafka: ${describeKafkaError(err)}`);
      await producer.disconnect().catch(() => undefined);
      return false;
    } finally {
      this.connecting = undefined;
    }
    if (this.stopped) {
      await producer.disconnect().catch(() => undefined);
      return false;
    }
    this.producer = producer;
    this.markHealthy();
    this.setState(true, "connected");
    this.options.logger.info("Kafka producer connected");
    return true;
  }

  private async checkHealth(producer: Producer): Promise<void> {
    try {
      this.admin ??= this.options.kafka.admin();
      await this.admin.connect();
      await this.admin.describeCluster();
      this.markHealthy();
    } catch (err) {
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      this.markFailed(producer, err);
    }
  }

  private setState(connected: boolean, detail: string): void {
    this.detail = detail;
    this.options.onStateChange(connected, detail);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
