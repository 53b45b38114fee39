// The load the autoscaling benchmark puts on one consumer group: events written to each partition
// second by second. Every scenario starts with a minute of steady trickle, so the operator has
// rates before anything happens, as it would in a running pipeline.

export interface Scenario {
  /** File-name friendly: `seed-burst`. */
  name: string;
  /** For people: what happens. */
  title: string;
  partitions: number;
  /** Seconds simulated; long enough for both policies to scale back down afterwards. */
  durationSeconds: number;
  /** Events written to `partition` during second `t`. */
  produced(t: number, partition: number): number;
}

/** Orders arriving between bursts, spread over all partitions. */
export const TRICKLE_PER_SECOND = 30;

/** `total` events written over `seconds` from `from`, spread evenly over the partitions. */
export function burst(total: number, from: number, seconds: number, partitions: number) {
  return (t: number) => (t >= from && t < from + seconds ? total / seconds / partitions : 0);
}

/** Events/s per partition rising linearly from `low` to `high` over [from, to). */
export function rampBetween(low: number, high: number, from: number, to: number) {
  return (t: number) => {
    if (t < from) return low;
    if (t >= to) return high;
    return low + ((high - low) * (t - from)) / (to - from);
  };
}

const trickle = (partitions: number) => TRICKLE_PER_SECOND / partitions;

/** The seed's demo: 10,000 orders pushed through the batch API in about five seconds. */
export function seedBurst(): Scenario {
  const partitions = 3;
  const orders = burst(10_000, 60, 5, partitions);
  return {
    name: "seed-burst",
    title: "the seed's 10,000-event burst (3 partitions)",
    partitions,
    durationSeconds: 900,
    produced: (t) => trickle(partitions) + orders(t),
  };
}

/** A backlog ten times the seed's, landing in ten seconds, on a topic with 12 partitions. */
export function bigBurst(): Scenario {
  const partitions = 12;
  const orders = burst(100_000, 60, 10, partitions);
  return {
    name: "big-burst",
    title: "a 100,000-event burst (12 partitions)",
    partitions,
    durationSeconds: 900,
    produced: (t) => trickle(partitions) + orders(t),
  };
}

/**
 * Production climbs from the trickle to 500 events/s over ten minutes (two and a half replicas'
 * worth), holds for five, and falls back over five: a working day's peak, compressed.
 */
export function ramp(): Scenario {
  const partitions = 3;
  const low = trickle(partitions);
  const high = 500 / partitions;
  const up = rampBetween(low, high, 60, 660);
  const down = rampBetween(high, low, 960, 1260);
  return {
    name: "ramp",
    title: "a ramp to 500 events/s and back (3 partitions)",
    partitions,
    durationSeconds: 1800,
    produced: (t) => (t < 960 ? up(t) : down(t)),
  };
}

/** A 6,000-event spike (a scheduled batch import, say) every four minutes, five times. */
export function periodicSpikes(): Scenario {
  const partitions = 3;
  const spikes = [60, 300, 540, 780, 1020].map((at) => burst(6_000, at, 10, partitions));
  return {
    name: "periodic-spikes",
    title: "five 6,000-event spikes four minutes apart (3 partitions)",
    partitions,
    durationSeconds: 1500,
    produced: (t) => trickle(partitions) + spikes.reduce((sum, spike) => sum + spike(t), 0),
  };
}

/**
 * One key goes hot for five minutes (a flash sale on one item, keyed to one partition): partition
 * 0 takes a 5,000-event backlog and then 140 events/s while the others keep the trickle. Only
 * partition 0's consumer matters; replicas for the quiet partitions add little.
 */
export function hotPartition(): Scenario {
  const partitions = 3;
  const backlog = burst(5_000, 60, 5, 1);
  const hot = (t: number) => (t >= 60 && t < 360 ? 140 : 0);
  return {
    name: "hot-partition",
    title: "one hot partition: 5,000 events, then 140 events/s for five minutes (3 partitions)",
    partitions,
    durationSeconds: 1200,
    produced: (t, partition) => trickle(partitions) + (partition === 0 ? backlog(t) + hot(t) : 0),
  };
}

export const scenarios = (): Scenario[] => [
  seedBurst(),
  bigBurst(),
  ramp(),
  periodicSpikes(),
  hotPartition(),
];
