import type { Condition } from "../api/types.js";

export type ConditionUpdate = Omit<Condition, "lastTransitionTime">;

/**
 * Returns the conditions with `update` applied. `lastTransitionTime` moves to `now` only when the
 * status changes; reason, message and observedGeneration follow the update. Order is kept, a new
 * type is appended, and other types are left as they are.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: string,
): Condition[] {
  const list = conditions ?? [];
  const existing = list.find((c) => c.type === update.type);
  const next: Condition = {
    ...update,
    lastTransitionTime:
      existing && existing.status === update.status ? existing.lastTransitionTime : now,
  };
  if (!existing) return [...list, next];
  return list.map((c) => (c.type === update.type ? next : c));
}

export function setConditions(
  conditions: readonly Condition[] | undefined,
  updates: readonly ConditionUpdate[],
  now: string,
): Condition[] {
  return updates.reduce<Condition[]>(
    (acc, u) => setCondition(acc, u, now),
    [...(conditions ?? [])],
  );
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === "True";
}

/** Conditions whose status differs between two lists (for Events on transitions). */
export function transitions(
  before: readonly Condition[] | undefined,
  after: readonly Condition[],
): Condition[] {
  return after.filter((c) => findCondition(before, c.type)?.status !== c.status);
}
