/** `base * 2^failures`, capped at `max`: the delay before retry number `failures + 1`. */
export function exponentialBackoff(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0) return Math.min(baseMs, maxMs);
  // 2^failures overflows to Infinity long before it matters; min() handles that.
  return Math.min(maxMs, baseMs * 2 ** failures);
}

/** "500ms", "2s", "1m30s": for messages a person reads. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes === 0) return `${seconds}s`;
  return seconds === 0 ? `${minutes}m` : `${minutes}m${seconds}s`;
}
