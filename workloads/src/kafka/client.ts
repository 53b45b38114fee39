import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { Kafka, type RetryOptions, type SASLOptions } from "kafkajs";
import type { KafkaConnectionConfig } from "../config/kafka.js";
import type { Logger } from "../observability/logger.js";
import { kafkaLogLevel, pinoLogCreator } from "./log-creator.js";

/**
 * A kafkajs client from the role's connection config: brokers, optional TLS (PEM files) and SASL
 * (PLAIN or SCRAM), timeouts, and kafkajs logs in the role's JSON log.
 */
export function createKafkaClient(
  config: KafkaConnectionConfig,
  logger: Logger,
  retry?: RetryOptions,
): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    ...(config.ssl && { ssl: tlsOptions(config.ssl) }),
    ...(config.sasl && { sasl: config.sasl as SASLOptions }),
    ...(retry && { retry }),
    logLevel: kafkaLogLevel(logger),
    logCreator: pinoLogCreator(logger),
  });
}

function tlsOptions(ssl: NonNullable<KafkaConnectionConfig["ssl"]>): ConnectionOptions {
  return {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ssl.caFile && { ca: [readFileSync(ssl.caFile, "utf8")] }),
    ...(ssl.certFile && { cert: readFileSync(ssl.certFile, "utf8") }),
    ...(ssl.keyFile && { key: readFileSync(ssl.keyFile, "utf8") }),
  };
}
