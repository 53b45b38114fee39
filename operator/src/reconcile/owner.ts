import type { V1OwnerReference } from "@kubernetes/client-node";
import { API_VERSION, KIND } from "../api/constants.js";
import type { StreamingPipeline } from "../api/types.js";

/** Makes the pipeline the controlling owner, so deleting it garbage-collects the object. */
export function ownerReference(pipeline: StreamingPipeline): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: pipeline.metadata.name,
    uid: pipeline.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
