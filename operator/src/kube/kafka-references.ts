import type { KafkaReferenceReader, StrimziKafkaStatus } from "../kafka/connection.js";
import type { KubeClients } from "./clients.js";
import { isNotFound } from "./errors.js";

const STRIMZI_GROUP = "kafka.strimzi.io";
/** Newest first: Strimzi serves v1 from 0.49, v1beta2 before. */
const STRIMZI_VERSIONS = ["v1", "v1beta2"];

/** Reads Strimzi Kafkas and Secrets for the Kafka connection resolver. */
export function kafkaReferenceReader(clients: KubeClients): KafkaReferenceReader {
  return {
    async strimziKafka(namespace, name) {
      for (const version of STRIMZI_VERSIONS) {
        try {
          const kafka = (await clients.custom.getNamespacedCustomObject({
            group: STRIMZI_GROUP,
            version,
            namespace,
            plural: "kafkas",
            name,
          })) as { status?: StrimziKafkaStatus };
          return kafka.status ?? {};
        } catch (err) {
          // 404 means either no such Kafka or no such API version (or no Strimzi at all).
          if (!isNotFound(err)) throw err;
        }
      }
      return undefined;
    },
    async secretValue(namespace, name, key) {
      try {
        const secret = await clients.core.readNamespacedSecret({ namespace, name });
        const value = secret.data?.[key];
        return value === undefined ? undefined : Buffer.from(value, "base64").toString("utf8");
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
  };
}
