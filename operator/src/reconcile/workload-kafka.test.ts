import { describe, expect, it } from "vitest";
import { workloadKafka } from "./workload-kafka.js";

describe("workloadKafka", () => {
  it("passes a literal SASL user name (a Strimzi KafkaUser) as is", () => {
    const got = workloadKafka(
      {
        clusterRef: { name: "my-cluster" },
        sasl: {
          mechanism: "scram-sha-512",
          username: "orders-pipeline",
          secretRef: { name: "orders-pipeline", usernameKey: "username", passwordKey: "password" },
        },
      },
      "b:9092",
      "shop",
    );
    expect(got.sasl?.username).toBe("orders-pipeline");
  });

  it("is just the address for plaintext Kafka", () => {
    expect(workloadKafka({ bootstrapServers: "k:9092" }, "k:9092", "shop")).toEqual({
      bootstrapServers: "k:9092",
    });
  });

  it("trusts the CA Secret the spec names", () => {
    const got = workloadKafka(
      { bootstrapServers: "k:9093", tls: { caSecretRef: { name: "ca", key: "ca.crt" } } },
      "k:9093",
      "shop",
    );
    expect(got.tls).toEqual({ ca: { name: "ca", key: "ca.crt" } });
  });

  it("trusts Strimzi's cluster CA Secret for a Kafka in the same namespace", () => {
    const got = workloadKafka({ clusterRef: { name: "my-cluster" }, tls: {} }, "b:9093", "shop");
    expect(got.tls).toEqual({ ca: { name: "my-cluster-cluster-ca-cert", key: "ca.crt" } });
  });

  it("falls back to the system CAs for a Strimzi Kafka in another namespace", () => {
    const got = workloadKafka(
      { clusterRef: { name: "my-cluster", namespace: "kafka" }, tls: {} },
      "b:9093",
      "shop",
    );
    expect(got.tls).toEqual({});
  });

  it("references the SASL Secret's keys", () => {
    const got = workloadKafka(
      {
        bootstrapServers: "k:9092",
        sasl: {
          mechanism: "scram-sha-256",
          secretRef: { name: "user", usernameKey: "u", passwordKey: "p" },
        },
      },
      "k:9092",
      "shop",
    );
    expect(got.sasl).toEqual({
      mechanism: "scram-sha-256",
      username: { name: "user", key: "u" },
      password: { name: "user", key: "p" },
    });
  });
});
