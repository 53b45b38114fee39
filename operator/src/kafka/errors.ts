/**
 * The most specific cause of a kafkajs error, short enough for a status message: a socket error
 * code (ECONNREFUSED, ENOTFOUND, ...) when there is one, else the innermost message.
 */
export function kafkaErrorCause(err: unknown): string {
  let current: unknown = err;
  let innermost = err;
  for (let depth = 0; current && depth < 10; depth++) {
    const e = current as {
      code?: unknown;
      originalError?: unknown;
      cause?: unknown;
      message?: unknown;
    };
    if (typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) return e.code;
    innermost = current;
    current = e.originalError ?? e.cause;
  }
  const message = (innermost as { message?: unknown })?.message;
  const text = typeof message === "string" ? message : String(innermost);
  const code = /\b(E[A-Z]{4,})\b/.exec(text)?.[1];
  return code ?? text;
}

/** True when the error means the broker could not be reached (not a refusal of a request). */
export function isConnectionError(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current && depth < 10; depth++) {
    const e = current as { name?: unknown; originalError?: unknown; cause?: unknown };
    if (
      e.name === "KafkaJSConnectionError" ||
      e.name === "KafkaJSConnectionClosedError" ||
      e.name === "KafkaJSRequestTimeoutError" ||
      e.name === "KafkaJSBrokerNotFound" ||
      e.name === "KafkaJSSASLAuthenticationError" ||
      e.name === "KafkaUnreachableError"
    ) {
      return true;
    }
    current = e.originalError ?? e.cause;
  }
  return false;
}

/** Kafka could not be reached at an address; `cause` is short (e.g. ECONNREFUSED). */
export class KafkaUnreachableError extends Error {
  override name = "KafkaUnreachableError";
  constructor(
    readonly bootstrapServers: string,
    readonly causeText: string,
    options?: { cause: unknown },
  ) {
    super(`could not connect to ${bootstrapServers} (${causeText})`, options);
  }
}
