import { describeKafkaError } from "../kafka/errors.js";
import type { ProducerConnection } from "../kafka/producer-connection.js";
import type { ProducerMetrics } from "./metrics.js";
import { SendCoalescer, SendTimeoutError } from "./send-coalescer.js";

/** One Kafka record: the order id as key, the encoded event as value. */
export interface OrderRecord {
  key: string;
  value: string;
}

/** Where accepted orders go; resolves only once they are durably written. */
export interface OrderSink {
  send(records: OrderRecord[]): Promise<void>;
}

/** Kafka cannot take the write now; the request is answered 503. */
export class KafkaUnavailableError extends Error {
  constructor(reason: string) {
    super(`Kafka is unavailable: ${reason}`);
    this.name = "KafkaUnavailableError";
  }
}

// A merged produce request stays well below Kafka's default 1 MiB record batch limit.
const MAX_MERGED_BYTES = 900_000;
// Per-record overhead in a record batch (lengths, offsets, attributes), approximately.
const RECORD_OVERHEAD_BYTES = 20;

export interface KafkaOrderSinkOptions {
  connection: ProducerConnection;
  topic: string;
  sendTimeoutMs: number;
  metrics: ProducerMetrics;
}

/** Writes orders through one idempotent producer, merging concurrent requests into one send. */
export class KafkaOrderSink implements OrderSink {
  private readonly coalescer: SendCoalescer<OrderRecord>;

  constructor(private readonly options: KafkaOrderSinkOptions) {
    this.coalescer = new SendCoalescer<OrderRecord>({
      send: (records) => this.produce(records),
      sizeOf: (r) => r.key.length + Buffer.byteLength(r.value) + RECORD_OVERHEAD_BYTES,
      maxBatchBytes: MAX_MERGED_BYTES,
      timeoutMs: options.sendTimeoutMs,
    });
  }

  async send(records: OrderRecord[]): Promise<void> {
    const { connection } = this.options;
    if (connection.current() === undefined) throw new KafkaUnavailableError(connection.reason);
    try {
      await this.coalescer.submit(records);
    } catch (err) {
      if (err instanceof SendTimeoutError) {
        // Kafka accepted the connection but does not answer: start over with a fresh producer.
        const producer = connection.current();
        if (producer) connection.markFailed(producer, err);
        throw new KafkaUnavailableError(err.message);
      }
      throw err;
    }
  }

  /** Waits for every accepted send to finish; used at shutdown. */
  drain(): Promise<void> {
    return this.coalescer.drain();
  }

  private async produce(records: OrderRecord[]): Promise<void> {
    const { connection, metrics, topic } = this.options;
    const producer = connection.current();
    if (producer === undefined) throw new KafkaUnavailableError(connection.reason);
    metrics.produceBatchRecords.observe(records.length);
    const done = metrics.produceDuration.startTimer();
    try {
      await producer.send({ topic, acks: -1, messages: records });
    } catch (err) {
      done({ result: "error" });
      connection.markFailed(producer, err);
      throw new KafkaUnavailableError(describeKafkaError(err));
    }
    done({ result: "ok" });
    connection.markHealthy();
  }
}
