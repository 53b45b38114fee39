/** Offsets of one partition as seen for one consumer group. */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  /** First offset still in the log (retention may have deleted earlier ones). */
  logStart: number;
  /** Offset the next produced message will get (the high watermark). */
  logEnd: number;
  /** The group's committed offset, or null when the group never committed on this partition. */
  committed: number | null;
}

/** What a consumer with no committed offset does: `auto.offset.reset`. */
export type OffsetResetPolicy = "earliest" | "latest";

export interface PartitionLag extends PartitionOffsets {
  lag: number;
}

/**
 * Events the group still has to read on one partition.
 *
 * With no committed offset, the group's reset policy decides where it will start: `earliest` reads
 * everything still in the log (never counting what retention deleted), `latest` reads nothing old.
 * A committed offset below the log start (retention overtook the group) counts from the log start,
 * since those events can no longer be read.
 */
export function partitionLag(offsets: PartitionOffsets, reset: OffsetResetPolicy): number {
  const { logStart, logEnd, committed } = offsets;
  if (committed === null) return reset === "earliest" ? Math.max(0, logEnd - logStart) : 0;
  return Math.max(0, logEnd - Math.max(committed, logStart));
}

export function withLag(offsets: PartitionOffsets[], reset: OffsetResetPolicy): PartitionLag[] {
  return offsets.map((o) => ({ ...o, lag: partitionLag(o, reset) }));
}

export function totalLag(partitions: ReadonlyArray<{ lag: number }>): number {
  return partitions.reduce((sum, p) => sum + p.lag, 0);
}
