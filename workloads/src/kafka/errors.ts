/** kafkajs nests causes (retries exceeded, wrapped protocol errors); this walks the chain. */
function* causes(err: unknown): Generator<Record<string, unknown>> {
  let current = err;
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    yield record;
    current = record.originalError ?? record.cause;
  }
}

/** The innermost readable reason, e.g. `Connection error: connect ECONNREFUSED 127.0.0.1:1`. */
export function describeKafkaError(err: unknown): string {
  let message = err instanceof Error ? err.message : String(err);
  for (const cause of causes(err)) {
    if (typeof cause.message === "string" && cause.message.length > 0) message = cause.message;
  }
  return message;
}

// Errors after which this producer can never write again: another instance with the same
// transactional id took over, or the broker forbids it.
const FATAL_TYPES = new Set([
  "INVALID_PRODUCER_EPOCH",
  "PRODUCER_FENCED",
  "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "INVALID_PRODUCER_ID_MAPPING",
]);

/** True when a transactional producer has been fenced or forbidden: the process must stop. */
export function isFatalProducerError(err: unknown): boolean {
  for (const cause of causes(err)) {
    if (typeof cause.type === "string" && FATAL_TYPES.has(cause.type)) return true;
  }
  return false;
}
