{{/*
What the operator may do in a namespace it watches: exactly the calls in operator/src/kube and
operator/src/controller, no more (test/integration/chart.test.ts runs the operator under these
rules and checks that it is refused anything else).
*/}}
{{- define "streaming-orders.operatorRules" -}}
# Pipelines: listed and watched, finalizers and annotations patched, status written.
- apiGroups: [streaming-orders.io]
  resources: [streamingpipelines]
  verbs: [get, list, watch, patch]
- apiGroups: [streaming-orders.io]
  resources: [streamingpipelines/status]
  verbs: [patch]
# The objects a pipeline owns carry blockOwnerDeletion, which needs update on its finalizers.
- apiGroups: [streaming-orders.io]
  resources: [streamingpipelines/finalizers]
  verbs: [update]
# The producer and consumer Deployments and the producer's Service: written by server-side apply
# (create and patch), watched, and deleted when a consumer leaves the spec.
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [""]
  resources: [services]
  verbs: [list, watch, create, patch, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
# Kafka CA certificates and SASL passwords named by a pipeline's spec.kafka: read by name, never listed.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
# The bootstrap address of a Strimzi Kafka named by spec.kafka.clusterRef.
- apiGroups: [kafka.strimzi.io]
  resources: [kafkas]
  verbs: [get]
{{- end }}
