// Names the operator shares with the CRD, the chart and the users' manifests.

export const GROUP = "streaming-orders.io";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = "StreamingPipeline";
export const PLURAL = "streamingpipelines";

/** The single field manager for every server-side apply the operator makes. */
export const FIELD_MANAGER = "streaming-orders-operator";

/** Present while the operator must delete the pipeline's topics before the pipeline goes. */
export const TOPICS_FINALIZER = `${GROUP}/delete-topics`;

/** `kubectl annotate sp/<name> streaming-orders.io/replay=<consumer>:<target>` (replay issue). */
export const REPLAY_ANNOTATION = `${GROUP}/replay`;

/** Controller name in Events and the managed-by label. */
export const CONTROLLER_NAME = "streaming-orders-operator";

export const CONDITION = {
  Ready: "Ready",
  KafkaReachable: "KafkaReachable",
  TopicsReady: "TopicsReady",
  WorkloadsReady: "WorkloadsReady",
} as const;
export type OperatorConditionType = (typeof CONDITION)[keyof typeof CONDITION];
