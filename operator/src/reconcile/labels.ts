import { CONTROLLER_NAME } from "../api/constants.js";
import type { StreamingPipeline } from "../api/types.js";

/** The product name, `app.kubernetes.io/part-of` on everything the operator creates. */
export const PART_OF = "streaming-orders";

/** `producer`, or a consumer's name. */
export type Component = string;

/**
 * Labels for every object the operator creates for one pipeline component. The chart's
 * `_helpers.tpl` uses the same shape.
 */
export function labels(pipeline: StreamingPipeline, component: Component): Record<string, string> {
  return {
    ...selectorLabels(pipeline, component),
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": CONTROLLER_NAME,
  };
}

/** The subset that selects a component's pods; immutable once a Deployment exists. */
export function selectorLabels(
  pipeline: StreamingPipeline,
  component: Component,
): Record<string, string> {
  return {
    "app.kubernetes.io/name": PART_OF,
    "app.kubernetes.io/instance": pipeline.metadata.name,
    "app.kubernetes.io/component": component,
  };
}

/** Selects everything the operator created for any pipeline. */
export const MANAGED_SELECTOR = `app.kubernetes.io/managed-by=${CONTROLLER_NAME}`;
