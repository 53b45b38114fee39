import { createHash } from "node:crypto";
import { type Admin, Kafka, logLevel, type SASLOptions } from "kafkajs";
import type { KafkaConnection } from "./connection.js";
import { isConnectionError, KafkaUnreachableError, kafkaErrorCause } from "./errors.js";

export interface AdminPoolOptions {
  clientId: string;
  /** Socket connect timeout; short, so an unreachable Kafka fails the reconcile fast. */
  connectTimeoutMs: number;
  /** Admin clients unused this long are disconnected. */
  idleMs?: number;
}

interface Entry {
  admin: Admin;
  connected: Promise<void>;
  lastUsed: number;
}

/**
 * One connected kafkajs admin client per distinct Kafka connection, shared by the pipelines that
 * use it. kafkajs is told to fail fast (short timeouts, one retry): retrying is the work queue's
 * job, with backoff, so a dead Kafka never blocks a worker for long.
 */
export class AdminPool {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: AdminPoolOptions) {}

  /**
   * Runs `fn` with a connected admin client. A failure to connect, or a connection error inside
   * `fn`, drops the client and throws KafkaUnreachableError naming the address and the cause.
   */
  async withAdmin<T>(conn: KafkaConnection, fn: (admin: Admin) => Promise<T>): Promise<T> {
    this.evictIdle();
    const key = connectionKey(conn);
    let entry = this.entries.get(key);
    if (!entry) {
      const admin = this.client(conn).admin();
      entry = { admin, connected: admin.connect(), lastUsed: Date.now() };
      this.entries.set(key, entry);
    }
    entry.lastUsed = Date.now();
    try {
      await entry.connected;
      return await fn(entry.admin);
    } catch (err) {
      if (isConnectionError(err) || !(await isConnected(entry))) {
        await this.drop(key);
        throw new KafkaUnreachableError(conn.bootstrapServers, kafkaErrorCause(err), {
          cause: err,
        });
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((key) => this.drop(key)));
  }

  private client(conn: KafkaConnection): Kafka {
    const tls = conn.tls;
    return new Kafka({
      clientId: this.options.clientId,
      brokers: conn.bootstrapServers.split(",").map((b) => b.trim()),
      ...(tls ? { ssl: tls.ca ? { ca: tls.ca } : true } : {}),
      // The union of per-mechanism option types does not distribute over our mechanism union.
      ...(conn.sasl ? { sasl: conn.sasl as SASLOptions } : {}),
      connectionTimeout: this.options.connectTimeoutMs,
      authenticationTimeout: this.options.connectTimeoutMs,
      requestTimeout: 15_000,
      retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
      logLevel: logLevel.NOTHING,
    });
  }

  private evictIdle(): void {
    const idleMs = this.options.idleMs ?? 10 * 60_000;
    const cutoff = Date.now() - idleMs;
    for (const [key, entry] of this.entries) {
      if (entry.lastUsed < cutoff) void this.drop(key);
    }
  }

  private async drop(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    await entry.admin.disconnect().catch(() => undefined);
  }
}

async function isConnected(entry: Entry): Promise<boolean> {
  try {
    await entry.connected;
    return true;
  } catch {
    return false;
  }
}

/** Distinguishes connections without keeping secrets readable in memory dumps of the map keys. */
function connectionKey(conn: KafkaConnection): string {
  return createHash("sha256").update(JSON.stringify(conn)).digest("hex");
}
