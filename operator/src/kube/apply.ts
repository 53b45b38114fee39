import { type KubernetesObject, PatchStrategy } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../api/constants.js";
import type { KubeClients } from "./clients.js";

/**
 * Server-side apply under the operator's single field manager, forcing ownership of the fields it
 * sets: the object given is the whole desired state of those fields, so applying it twice changes
 * nothing (and does not bump resourceVersion). Returns the object as stored.
 */
export function apply<T extends KubernetesObject>(clients: KubeClients, desired: T): Promise<T> {
  return clients.objects.patch(
    desired,
    undefined,
    undefined,
    FIELD_MANAGER,
    true,
    PatchStrategy.ServerSideApply,
  );
}
