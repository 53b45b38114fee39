/** The parts of a coordination.k8s.io/v1 Lease that decide who leads. */
export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** Opaque to the decision: only whether it changed since last seen matters. */
  renewTime: string;
}

/** What one candidate has seen: the record and, by its own clock, when it last changed. */
export interface Observed {
  record: LeaseRecord;
  observedAtMs: number;
}

export type LeaseAction =
  /** No Lease exists yet: create it holding it. */
  | "create"
  /** We hold it: renew before it runs out. */
  | "renew"
  /** Released, or its holder stopped renewing for a whole lease duration: take it over. */
  | "acquire"
  /** Someone else holds a live lease: stand by. */
  | "follow";

/**
 * The leader-election step, as client-go's leaderelection does it. Expiry is judged by the
 * candidate's own clock from when it last saw the record change (never by comparing the holder's
 * timestamps with ours), so clock skew between replicas cannot make two leaders.
 */
export function leaseAction(
  observed: Observed | undefined,
  identity: string,
  nowMs: number,
): LeaseAction {
  if (!observed) return "create";
  const { record, observedAtMs } = observed;
  if (record.holderIdentity === identity) return "renew";
  if (record.holderIdentity === "") return "acquire";
  const expired = observedAtMs + record.leaseDurationSeconds * 1000 < nowMs;
  return expired ? "acquire" : "follow";
}

/** Updates what a candidate has seen: the time moves only when the record changed. */
export function observe(
  previous: Observed | undefined,
  record: LeaseRecord,
  nowMs: number,
): Observed {
  const same =
    previous &&
    previous.record.holderIdentity === record.holderIdentity &&
    previous.record.renewTime === record.renewTime &&
    previous.record.leaseDurationSeconds === record.leaseDurationSeconds;
  return same ? previous : { record, observedAtMs: nowMs };
}
