import type { KafkaSpec, SaslMechanism, SecretKeyRef } from "../api/types.js";

/** How a workload pod reaches Kafka: an address and references to Secrets, never their values. */
export interface WorkloadKafka {
  bootstrapServers: string;
  /** Present when the brokers speak TLS; `ca` unset means the image's system CAs. */
  tls?: { ca?: SecretKeyRef };
  /** `username` is a literal name or a Secret key. */
  sasl?: { mechanism: SaslMechanism; username: string | SecretKeyRef; password: SecretKeyRef };
}

/**
 * The pods' Kafka settings for a resolved bootstrap address. With a Strimzi clusterRef in the
 * pipeline's own namespace and TLS but no CA Secret named, the pods trust Strimzi's cluster CA
 * Secret (`<cluster>-cluster-ca-cert`), which Strimzi keeps next to the Kafka.
 */
export function workloadKafka(
  spec: KafkaSpec,
  bootstrapServers: string,
  namespace: string,
): WorkloadKafka {
  const out: WorkloadKafka = { bootstrapServers };
  if (spec.tls) {
    const ref = spec.clusterRef;
    const strimziCa =
      ref && (ref.namespace ?? namespace) === namespace
        ? { name: `${ref.name}-cluster-ca-cert`, key: "ca.crt" }
        : undefined;
    const ca = spec.tls.caSecretRef ?? strimziCa;
    out.tls = ca ? { ca } : {};
  }
  if (spec.sasl) {
    const { name, usernameKey, passwordKey } = spec.sasl.secretRef;
    out.sasl = {
      mechanism: spec.sasl.mechanism,
      username: spec.sasl.username ?? { name, key: usernameKey },
      password: { name, key: passwordKey },
    };
  }
  return out;
}
