import { describe, expect, it } from "vitest";
import { isConnectionError, kafkaErrorCause } from "./errors.js";

function kafkajsError(name: string, message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name, ...extra });
}

describe("kafkaErrorCause", () => {
  it("finds the socket error code under kafkajs' retry wrapper", () => {
    const socket = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
      code: "ECONNREFUSED",
    });
    const conn = kafkajsError(
      "KafkaJSConnectionError",
      "Connection error: connect ECONNREFUSED 127.0.0.1:1",
    );
    const retries = kafkajsError("KafkaJSNumberOfRetriesExceeded", "Connection error", {
      originalError: Object.assign(conn, { cause: socket }),
    });
    expect(kafkaErrorCause(retries)).toBe("ECONNREFUSED");
  });

  it("reads a code out of a message when no error carries one", () => {
    expect(kafkaErrorCause(new Error("Connection error: getaddrinfo ENOTFOUND kafka"))).toBe(
      "ENOTFOUND",
    );
  });

  it("falls back to the innermost message", () => {
    const inner = kafkajsError("KafkaJSConnectionError", "Connection timeout");
    const outer = kafkajsError("KafkaJSNonRetriableError", "wrapped", { originalError: inner });
    expect(kafkaErrorCause(outer)).toBe("Connection timeout");
  });
});

describe("isConnectionError", () => {
  it.each([
    { err: kafkajsError("KafkaJSConnectionError", "x"), want: true },
    {
      err: kafkajsError("KafkaJSNumberOfRetriesExceeded", "x", {
        originalError: kafkajsError("KafkaJSRequestTimeoutError", "t"),
      }),
      want: true,
    },
    { err: kafkajsError("KafkaJSProtocolError", "INVALID_REPLICATION_FACTOR"), want: false },
  ])("$err.name: $want", ({ err, want }) => {
    expect(isConnectionError(err)).toBe(want);
  });
});

describe("kafkaMessage", () => {
  it("lists the per-topic errors of a kafkajs aggregate error", async () => {
    const { kafkaMessage } = await import("./topic-admin.js");
    const aggregate = Object.assign(new Error("Topic creation errors"), {
      errors: [new Error("Replication-factor is invalid"), new Error("Topic already exists")],
    });
    expect(kafkaMessage(aggregate)).toBe("Replication-factor is invalid; Topic already exists");
  });
});
