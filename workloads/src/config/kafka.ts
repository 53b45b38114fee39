import {
  ConfigError,
  type Env,
  readBoolean,
  readEnum,
  readInt,
  readString,
  requireString,
} from "./env.js";

export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

/** How to reach Kafka: brokers plus optional TLS and SASL, as the operator passes them. */
export interface KafkaConnectionConfig {
  brokers: string[];
  clientId: string;
  /** TLS; files are PEM, read when the client is created. Undefined: plaintext. */
  ssl?: { caFile?: string; certFile?: string; keyFile?: string; rejectUnauthorized: boolean };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

/** Consumer fetch and group tuning, shared by the consumer roles. */
export interface ConsumerTuning {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxBytesPerPartition: number;
  maxBytes: number;
  minBytes: number;
  maxWaitTimeMs: number;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function parseLogLevel(env: Env): LogLevel {
  return readEnum(env, "LOG_LEVEL", LOG_LEVELS, "info");
}

export function parsePort(env: Env, fallback: number): number {
  return readInt(env, "PORT", fallback, { min: 0, max: 65535 });
}

export function parseKafkaConnection(env: Env, defaultClientId: string): KafkaConnectionConfig {
  const brokers = requireString(env, "KAFKA_BOOTSTRAP_SERVERS")
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new ConfigError(
        "KAFKA_BOOTSTRAP_SERVERS",
        `must be a comma-separated list of host:port, got ${JSON.stringify(broker)}`,
      );
    }
  }
  if (brokers.length === 0) throw new ConfigError("KAFKA_BOOTSTRAP_SERVERS", "is required");

  const config: KafkaConnectionConfig = {
    brokers,
    clientId: readString(env, "KAFKA_CLIENT_ID") ?? defaultClientId,
    connectionTimeoutMs: readInt(env, "KAFKA_CONNECTION_TIMEOUT_MS", 3000, {
      min: 100,
      max: 300_000,
    }),
    requestTimeoutMs: readInt(env, "KAFKA_REQUEST_TIMEOUT_MS", 30_000, { min: 100, max: 600_000 }),
  };

  const tlsFiles = {
    caFile: readString(env, "KAFKA_SSL_CA_FILE"),
    certFile: readString(env, "KAFKA_SSL_CERT_FILE"),
    keyFile: readString(env, "KAFKA_SSL_KEY_FILE"),
  };
  const anyTlsFile = Object.values(tlsFiles).some((f) => f !== undefined);
  if (readBoolean(env, "KAFKA_SSL", anyTlsFile)) {
    if ((tlsFiles.certFile === undefined) !== (tlsFiles.keyFile === undefined)) {
      const missing =
        tlsFiles.certFile === undefined ? "KAFKA_SSL_CERT_FILE" : "KAFKA_SSL_KEY_FILE";
      throw new ConfigError(
        missing,
        "is required when the other half of the client certificate is set",
      );
    }
    config.ssl = {
      ...(tlsFiles.caFile && { caFile: tlsFiles.caFile }),
      ...(tlsFiles.certFile && { certFile: tlsFiles.certFile }),
      ...(tlsFiles.keyFile && { keyFile: tlsFiles.keyFile }),
      rejectUnauthorized: readBoolean(env, "KAFKA_SSL_REJECT_UNAUTHORIZED", true),
    };
  } else if (anyTlsFile) {
    throw new ConfigError("KAFKA_SSL", "is false but TLS files (KAFKA_SSL_*_FILE) are set");
  }

  const mechanism = readString(env, "KAFKA_SASL_MECHANISM");
  if (mechanism !== undefined) {
    config.sasl = {
      mechanism: readEnum(
        env,
        "KAFKA_SASL_MECHANISM",
        ["plain", "scram-sha-256", "scram-sha-512"],
        "plain",
      ),
      username: requireString(env, "KAFKA_SASL_USERNAME"),
      password: requireString(env, "KAFKA_SASL_PASSWORD"),
    };
  } else if (readString(env, "KAFKA_SASL_USERNAME") !== undefined) {
    throw new ConfigError("KAFKA_SASL_MECHANISM", "is required when KAFKA_SASL_USERNAME is set");
  }
  return config;
}

export function parseConsumerTuning(
  env: Env,
  defaults: Partial<ConsumerTuning> = {},
): ConsumerTuning {
  const sessionTimeoutMs = readInt(
    env,
    "KAFKA_CONSUMER_SESSION_TIMEOUT_MS",
    defaults.sessionTimeoutMs ?? 30_000,
    { min: 1000, max: 3_600_000 },
  );
  const heartbeatIntervalMs = readInt(
    env,
    "KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS",
    defaults.heartbeatIntervalMs ?? Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
    { min: 100, max: 3_600_000 },
  );
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new ConfigError(
      "KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS",
      `must be lower than the session timeout (${sessionTimeoutMs} ms)`,
    );
  }
  const maxBytesPerPartition = readInt(
    env,
    "KAFKA_CONSUMER_MAX_BYTES_PER_PARTITION",
    defaults.maxBytesPerPartition ?? 1_048_576,
    { min: 1024, max: 104_857_600 },
  );
  const maxBytes = readInt(env, "KAFKA_CONSUMER_MAX_BYTES", defaults.maxBytes ?? 10_485_760, {
    min: 1024,
    max: 1_073_741_824,
  });
  return {
    sessionTimeoutMs,
    heartbeatIntervalMs,
    maxBytesPerPartition,
    maxBytes: Math.max(maxBytes, maxBytesPerPartition),
    minBytes: readInt(env, "KAFKA_CONSUMER_MIN_BYTES", defaults.minBytes ?? 1, {
      min: 1,
      max: 104_857_600,
    }),
    maxWaitTimeMs: readInt(env, "KAFKA_CONSUMER_MAX_WAIT_MS", defaults.maxWaitTimeMs ?? 500, {
      min: 0,
      max: 60_000,
    }),
  };
}
