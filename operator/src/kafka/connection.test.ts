import { describe, expect, it } from "vitest";
import {
  KafkaConfigError,
  type KafkaReferenceReader,
  kafkaIdentity,
  resolveKafkaConnection,
  strimziBootstrap,
} from "./connection.js";

const strimziStatus = {
  listeners: [
    { name: "plain", bootstrapServers: "my-cluster-kafka-bootstrap.kafka.svc:9092" },
    {
      name: "tls",
      bootstrapServers: "my-cluster-kafka-bootstrap.kafka.svc:9093",
      certificates: ["-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"],
    },
  ],
};

function reader(
  secrets: Record<string, string> = {},
  kafkas: Record<string, typeof strimziStatus> = {},
): KafkaReferenceReader {
  return {
    strimziKafka: async (ns, name) => kafkas[`${ns}/${name}`],
    secretValue: async (ns, name, key) => secrets[`${ns}/${name}/${key}`],
  };
}

async function failure(p: Promise<unknown>): Promise<KafkaConfigError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KafkaConfigError) return err;
    throw err;
  }
  throw new Error("resolved");
}

describe("strimziBootstrap", () => {
  it("takes the first listener by default and a named one on request", () => {
    expect(strimziBootstrap("k", strimziStatus, undefined).bootstrapServers).toBe(
      "my-cluster-kafka-bootstrap.kafka.svc:9092",
    );
    expect(strimziBootstrap("k", strimziStatus, "tls").certificates).toHaveLength(1);
  });

  it.each([
    { status: undefined, listener: undefined, message: "reports no listeners in its status yet" },
    {
      status: strimziStatus,
      listener: "external",
      message: 'has no listener "external" (listeners: plain, tls)',
    },
    {
      status: { listeners: [{ name: "plain" }] },
      listener: undefined,
      message: 'listener "plain" has no bootstrap address yet',
    },
  ])("says why there is no address: $message", ({ status, listener, message }) => {
    expect(() => strimziBootstrap("kafka/k", status, listener)).toThrow(message);
  });
});

describe("resolveKafkaConnection", () => {
  it("uses bootstrapServers as given, in plaintext", async () => {
    expect(await resolveKafkaConnection({ bootstrapServers: "k:9092" }, "shop", reader())).toEqual({
      bootstrapServers: "k:9092",
    });
  });

  it("reads a Strimzi Kafka's listener in the pipeline's namespace and trusts its certificate", async () => {
    const got = await resolveKafkaConnection(
      { clusterRef: { name: "my-cluster", listener: "tls" }, tls: {} },
      "shop",
      reader({}, { "shop/my-cluster": strimziStatus }),
    );
    expect(got.bootstrapServers).toBe("my-cluster-kafka-bootstrap.kafka.svc:9093");
    expect(got.tls?.ca).toEqual(strimziStatus.listeners[1]?.certificates);
  });

  it("says KafkaClusterNotFound for a missing Strimzi Kafka", async () => {
    const err = await failure(
      resolveKafkaConnection(
        { clusterRef: { name: "nope", namespace: "kafka" } },
        "shop",
        reader(),
      ),
    );
    expect(err.reason).toBe("KafkaClusterNotFound");
    expect(err.message).toBe("Strimzi Kafka kafka/nope (kafka.strimzi.io) does not exist");
  });

  it("reads the CA and SCRAM credentials from Secrets", async () => {
    const got = await resolveKafkaConnection(
      {
        bootstrapServers: "k:9093",
        tls: { caSecretRef: { name: "ca", key: "ca.crt" } },
        sasl: {
          mechanism: "scram-sha-512",
          secretRef: { name: "user", usernameKey: "username", passwordKey: "password" },
        },
      },
      "shop",
      reader({ "shop/ca/ca.crt": "PEM", "shop/user/username": "u", "shop/user/password": "p" }),
    );
    expect(got).toEqual({
      bootstrapServers: "k:9093",
      tls: { ca: ["PEM"] },
      sasl: { mechanism: "scram-sha-512", username: "u", password: "p" },
    });
  });

  it("says SecretNotFound naming the Secret and key", async () => {
    const err = await failure(
      resolveKafkaConnection(
        {
          bootstrapServers: "k:9093",
          sasl: {
            mechanism: "scram-sha-256",
            username: "u",
            secretRef: { name: "user", usernameKey: "username", passwordKey: "password" },
          },
        },
        "shop",
        reader(),
      ),
    );
    expect(err.reason).toBe("SecretNotFound");
    expect(err.message).toBe(
      'kafka.sasl.secretRef password: Secret shop/user with key "password" not found',
    );
    expect(err.bootstrapServers).toBe("k:9093");
  });
});

describe("kafkaIdentity", () => {
  it("treats the same brokers in any order and case as one Kafka", () => {
    expect(kafkaIdentity({ bootstrapServers: "B:1,a:2" }, "x")).toBe(
      kafkaIdentity({ bootstrapServers: "a:2, b:1" }, "y"),
    );
  });

  it("names a Strimzi Kafka by namespace and name", () => {
    expect(kafkaIdentity({ clusterRef: { name: "k" } }, "shop")).toBe("strimzi:shop/k");
  });
});
