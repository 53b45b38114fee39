import { describe, expect, it } from "vitest";
import { parseAnalyticsConfig } from "./analytics.js";
import { ConfigError, type Env } from "./env.js";
import { parseInventoryConfig } from "./inventory.js";
import { parseProducerConfig } from "./producer.js";

const base: Env = {
  KAFKA_BOOTSTRAP_SERVERS: "kafka-0:9092, kafka-1:9092",
  HOSTNAME: "inventory-7c9f-abcde",
};

function configError(parse: () => unknown): ConfigError {
  try {
    parse();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("role configuration from the environment", () => {
  it("defaults topics, groups and ports, and derives the transactional id from HOSTNAME", () => {
    const producer = parseProducerConfig(base);
    expect(producer).toMatchObject({
      port: 8201,
      ordersTopic: "order-events",
      kafka: { brokers: ["kafka-0:9092", "kafka-1:9092"], clientId: "streaming-orders-producer" },
    });
    expect(producer.kafka.ssl).toBeUndefined();
    expect(producer.kafka.sasl).toBeUndefined();

    expect(parseInventoryConfig(base)).toMatchObject({
      port: 8202,
      groupId: "inventory-group",
      ordersTopic: "order-events",
      inventoryTopic: "inventory-events",
      deadLetterTopic: "order-events.dlq",
      transactionalId: "inventory-inventory-7c9f-abcde",
    });
    expect(parseAnalyticsConfig(base)).toMatchObject({
      port: 8203,
      groupId: "analytics-group",
      outputIntervalMs: 10_000,
    });
  });

  it("takes topic and group names from the environment", () => {
    const env = {
      ...base,
      ORDER_EVENTS_TOPIC: "t-orders",
      INVENTORY_EVENTS_TOPIC: "t-inventory",
      DEAD_LETTER_TOPIC: "t-dlq",
      KAFKA_GROUP_ID: "g-1",
      INVENTORY_TRANSACTIONAL_ID: "tx-1",
    };
    expect(parseInventoryConfig(env)).toMatchObject({
      ordersTopic: "t-orders",
      inventoryTopic: "t-inventory",
      deadLetterTopic: "t-dlq",
      groupId: "g-1",
      transactionalId: "tx-1",
    });
  });

  it("reads TLS files and SCRAM credentials for the operator to pass later", () => {
    const config = parseProducerConfig({
      ...base,
      KAFKA_SSL_CA_FILE: "/tls/ca.crt",
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: "orders",
      KAFKA_SASL_PASSWORD: "s3cret",
    });
    expect(config.kafka.ssl).toEqual({ caFile: "/tls/ca.crt", rejectUnauthorized: true });
    expect(config.kafka.sasl).toEqual({
      mechanism: "scram-sha-512",
      username: "orders",
      password: "s3cret",
    });
  });

  it.each([
    [{}, "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS is required"],
    [{ KAFKA_BOOTSTRAP_SERVERS: "kafka" }, "KAFKA_BOOTSTRAP_SERVERS", 'host:port, got "kafka"'],
    [{ ...base, PORT: "http" }, "PORT", 'PORT must be an integer between 0 and 65535, got "http"'],
    [{ ...base, PORT: "70000" }, "PORT", "between 0 and 65535"],
    [{ ...base, ORDER_EVENTS_TOPIC: "orders events" }, "ORDER_EVENTS_TOPIC", "letters, digits"],
    [{ ...base, LOG_LEVEL: "loud" }, "LOG_LEVEL", "must be one of fatal, error"],
    [{ ...base, KAFKA_SSL: "maybe" }, "KAFKA_SSL", "must be true or false"],
    [
      { ...base, KAFKA_SSL_CERT_FILE: "/tls/tls.crt" },
      "KAFKA_SSL_KEY_FILE",
      "KAFKA_SSL_KEY_FILE is required",
    ],
    [{ ...base, KAFKA_SASL_MECHANISM: "gssapi" }, "KAFKA_SASL_MECHANISM", "plain, scram-sha-256"],
    [
      { ...base, KAFKA_SASL_MECHANISM: "plain" },
      "KAFKA_SASL_USERNAME",
      "KAFKA_SASL_USERNAME is required",
    ],
    [{ ...base, KAFKA_SASL_USERNAME: "u" }, "KAFKA_SASL_MECHANISM", "is required when"],
    [{ ...base, PRODUCER_SEND_TIMEOUT_MS: "0" }, "PRODUCER_SEND_TIMEOUT_MS", "between 100 and"],
  ])("rejects %o naming %s", (env, variable, message) => {
    const err = configError(() => parseProducerConfig(env));
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(message);
  });

  it("requires a transactional id when HOSTNAME is missing", () => {
    const err = configError(() => parseInventoryConfig({ KAFKA_BOOTSTRAP_SERVERS: "k:9092" }));
    expect(err.variable).toBe("INVENTORY_TRANSACTIONAL_ID");
  });

  it("rejects a heartbeat interval that is not below the session timeout", () => {
    const err = configError(() =>
      parseAnalyticsConfig({
        ...base,
        KAFKA_CONSUMER_SESSION_TIMEOUT_MS: "6000",
        KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: "6000",
      }),
    );
    expect(err.variable).toBe("KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS");
  });
});
