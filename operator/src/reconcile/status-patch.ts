import type { StreamingPipelineStatus } from "../api/types.js";

/** Top-level status fields computeStatus owns; other modules may add their own next to them. */
export const OWNED_STATUS_FIELDS = [
  "observedGeneration",
  "conditions",
  "bootstrapServers",
  "topics",
  "producer",
  "consumers",
  "totalLag",
  "summary",
] as const satisfies ReadonlyArray<keyof StreamingPipelineStatus>;

/**
 * A JSON merge patch of `status` turning `previous` into `next` for the owned fields (a field that
 * disappeared becomes null, which deletes it), or undefined when nothing owned changed, so an
 * unchanged reconcile writes nothing and bumps no resourceVersion.
 */
export function statusPatch(
  previous: StreamingPipelineStatus | undefined,
  next: StreamingPipelineStatus,
): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  for (const field of OWNED_STATUS_FIELDS) {
    const before = previous?.[field];
    const after = next[field];
    if (canonical(before) === canonical(after)) continue;
    patch[field] = after === undefined ? null : after;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** JSON with object keys sorted, so key order never counts as a change. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
          )
        : v,
    ) ?? "undefined"
  );
}
