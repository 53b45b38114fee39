/** How the replay executor paces itself. */
export interface ReplayOptions {
  /**
   * How long to wait for the consumer group to empty after scaling the consumer to 0 (and for the
   * offsets to be moved) before giving up with MembersLingering and scaling it back.
   */
  emptyGroupTimeoutMs?: number;
  /** Delay between the reconciles that advance a replay. */
  stepDelayMs?: number;
}

export const DEFAULT_EMPTY_GROUP_TIMEOUT_MS = 120_000;
export const DEFAULT_STEP_DELAY_MS = 500;
