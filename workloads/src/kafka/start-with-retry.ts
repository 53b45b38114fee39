import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../observability/logger.js";
import { describeKafkaError } from "./errors.js";

/**
 * Runs `start` until it succeeds or `signal` aborts; a role whose Kafka is not up yet keeps
 * serving `/health` (alive) and `/ready` (not ready) instead of crash-looping.
 */
export async function startWithRetry(
  what: string,
  start: () => Promise<void>,
  deps: { logger: Logger; signal: AbortSignal; onFailure: (reason: string) => void },
): Promise<boolean> {
  let backoff = 500;
  while (!deps.signal.aborted) {
    try {
      await start();
      return true;
    } catch (err) {
      const reason = describeKafkaError(err);
      deps.onFailure(reason);
      deps.logger.warn({ err: reason, retryInMs: backoff }, `could not start ${what}`);
      await sleep(backoff, undefined, { signal: deps.signal }).catch(() => undefined);
      backoff = Math.min(backoff * 2, 10_000);
    }
  }
  return false;
}
