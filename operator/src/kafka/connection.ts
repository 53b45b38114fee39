import type { KafkaSpec, SaslMechanism } from "../api/types.js";

/** Everything the operator needs to open an admin connection to one Kafka. */
export interface KafkaConnection {
  /** As given or as read from Strimzi: `host:port[,host:port...]`. */
  bootstrapServers: string;
  /** `undefined`: plaintext. `ca` unset: verify with the system CAs. */
  tls?: { ca?: string[] };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

/** Why the connection could not even be described (before any network I/O). */
export class KafkaConfigError extends Error {
  override name = "KafkaConfigError";
  constructor(
    /** CamelCase condition reason. */
    readonly reason: string,
    message: string,
    readonly bootstrapServers?: string,
  ) {
    super(message);
  }
}

/** The parts of a Strimzi `Kafka`'s status the operator reads. */
export interface StrimziKafkaStatus {
  listeners?: Array<{
    name?: string;
    bootstrapServers?: string;
    certificates?: string[];
  }>;
}

/** The bootstrap address (and listener CA) of a Strimzi Kafka, or why there is none yet. */
export function strimziBootstrap(
  clusterName: string,
  status: StrimziKafkaStatus | undefined,
  listener: string | undefined,
): { bootstrapServers: string; certificates: string[] } {
  const listeners = status?.listeners ?? [];
  const chosen = listener ? listeners.find((l) => l.name === listener) : listeners[0];
  if (!chosen) {
    const known = listeners.map((l) => l.name).filter(Boolean);
    throw new KafkaConfigError(
      "KafkaClusterNotReady",
      listener && known.length > 0
        ? `Strimzi Kafka ${clusterName} has no listener "${listener}" (listeners: ${known.join(", ")})`
        : `Strimzi Kafka ${clusterName} reports no listeners in its status yet`,
    );
  }
  if (!chosen.bootstrapServers) {
    throw new KafkaConfigError(
      "KafkaClusterNotReady",
      `Strimzi Kafka ${clusterName} listener "${chosen.name}" has no bootstrap address yet`,
    );
  }
  return { bootstrapServers: chosen.bootstrapServers, certificates: chosen.certificates ?? [] };
}

/** Reads what a KafkaSpec refers to; the kube adapter implements it. */
export interface KafkaReferenceReader {
  /** The Strimzi Kafka's status, or undefined when there is no such Kafka. */
  strimziKafka(namespace: string, name: string): Promise<StrimziKafkaStatus | undefined>;
  /** One key of a Secret, or undefined when the Secret or the key is missing. */
  secretValue(namespace: string, name: string, key: string): Promise<string | undefined>;
}

/**
 * Turns a pipeline's `spec.kafka` into a connection: the bootstrap address (read from Strimzi for
 * a clusterRef), the CA bundle and the SASL credentials (read from Secrets). Throws
 * KafkaConfigError with a condition reason when something it refers to is missing.
 */
export async function resolveKafkaConnection(
  spec: KafkaSpec,
  namespace: string,
  reader: KafkaReferenceReader,
): Promise<KafkaConnection> {
  let bootstrapServers = spec.bootstrapServers;
  let listenerCerts: string[] = [];
  if (!bootstrapServers) {
    const ref = spec.clusterRef;
    if (!ref) {
      throw new KafkaConfigError(
        "InvalidKafkaSpec",
        "spec.kafka names no bootstrapServers or clusterRef",
      );
    }
    const ns = ref.namespace ?? namespace;
    const status = await reader.strimziKafka(ns, ref.name);
    if (status === undefined) {
      throw new KafkaConfigError(
        "KafkaClusterNotFound",
        `Strimzi Kafka ${ns}/${ref.name} (kafka.strimzi.io) does not exist`,
      );
    }
    const found = strimziBootstrap(`${ns}/${ref.name}`, status, ref.listener);
    bootstrapServers = found.bootstrapServers;
    listenerCerts = found.certificates;
  }
  const connection: KafkaConnection = { bootstrapServers };
  const secret = async (name: string, key: string, what: string) => {
    const value = await reader.secretValue(namespace, name, key);
    if (value === undefined) {
      throw new KafkaConfigError(
        "SecretNotFound",
        `${what}: Secret ${namespace}/${name} with key "${key}" not found`,
        bootstrapServers,
      );
    }
    return value;
  };
  if (spec.tls) {
    const ref = spec.tls.caSecretRef;
    if (ref) connection.tls = { ca: [await secret(ref.name, ref.key, "kafka.tls.caSecretRef")] };
    else connection.tls = listenerCerts.length > 0 ? { ca: listenerCerts } : {};
  }
  if (spec.sasl) {
    const { secretRef, mechanism } = spec.sasl;
    const username =
      spec.sasl.username ??
      (await secret(secretRef.name, secretRef.usernameKey, "kafka.sasl.secretRef username"));
    const password = await secret(
      secretRef.name,
      secretRef.passwordKey,
      "kafka.sasl.secretRef password",
    );
    connection.sasl = { mechanism, username, password };
  }
  return connection;
}

/**
 * Which Kafka a spec points at, for telling whether two pipelines share topics: the sorted
 * bootstrap list, or the Strimzi Kafka's namespace/name.
 */
export function kafkaIdentity(spec: KafkaSpec, namespace: string): string {
  if (spec.clusterRef)
    return `strimzi:${spec.clusterRef.namespace ?? namespace}/${spec.clusterRef.name}`;
  return `bootstrap:${(spec.bootstrapServers ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .sort()
    .join(",")}`;
}
