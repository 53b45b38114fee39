import type { Readiness } from "./observability/readiness.js";

export const ROLES = ["producer", "inventory", "analytics"] as const;
export type Role = (typeof ROLES)[number];

/** A started role: its HTTP port, its readiness, and a graceful stop. */
export interface RunningRole {
  port: number;
  readiness: Readiness;
  stop(): Promise<void>;
}
