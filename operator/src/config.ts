// The operator's settings, parsed once from the environment at start-up. Every error names the
// variable and what it accepts.

import type { ImagePullPolicy } from "./api/types.js";

export interface LeaderElectionConfig {
  enabled: boolean;
  namespace: string;
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface OperatorConfig {
  /** Path to a kubeconfig; unset means in-cluster, else the default kubeconfig. */
  kubeconfig?: string;
  /** Namespaces to watch; empty means all. */
  watchNamespaces: string[];
  /** Who this replica is in the Lease and in Events. */
  identity: string;
  leaderElection: LeaderElectionConfig;
  workloadImage: string;
  /** Pull policy and pull secrets for the workloads' pods; a pipeline's spec overrides them. */
  workloadImagePullPolicy: ImagePullPolicy;
  workloadImagePullSecrets: string[];
  httpPort: number;
  logLevel: string;
  workers: number;
  resyncPeriodMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  kafkaConnectTimeoutMs: number;
  /** How long a replay waits for its consumer group to empty before giving up (MembersLingering). */
  replayEmptyGroupTimeoutMs: number;
}

/** The image hack/image.sh builds and the chart installs (one image, a command per role). */
export const DEFAULT_WORKLOAD_IMAGE = "streaming-orders:0.1.0";

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

export function parseConfig(env: Env, hostname = "operator"): OperatorConfig {
  const errors: string[] = [];
  const read = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      errors.push((err as Error).message);
      return undefined;
    }
  };
  const watch = env.WATCH_NAMESPACES ?? env.WATCH_NAMESPACE ?? "";
  const watchNamespaces = watch
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const ns of watchNamespaces) {
    if (!DNS_LABEL.test(ns)) {
      errors.push(`WATCH_NAMESPACES: "${ns}" is not a namespace name (lowercase DNS label)`);
    }
  }
  const leaseDurationMs = read(() => seconds(env, "LEADER_ELECTION_LEASE_SECONDS", 15)) ?? 0;
  const renewDeadlineMs =
    read(() => seconds(env, "LEADER_ELECTION_RENEW_DEADLINE_SECONDS", 10)) ?? 0;
  const retryPeriodMs = read(() => seconds(env, "LEADER_ELECTION_RETRY_SECONDS", 2)) ?? 0;
  if (renewDeadlineMs >= leaseDurationMs && leaseDurationMs > 0) {
    errors.push(
      "LEADER_ELECTION_RENEW_DEADLINE_SECONDS must be less than LEADER_ELECTION_LEASE_SECONDS, or two replicas could both lead",
    );
  }
  const config: OperatorConfig = {
    watchNamespaces,
    identity: env.POD_NAME?.trim() || `${hostname}-${process.pid}`,
    leaderElection: {
      enabled: read(() => bool(env, "LEADER_ELECTION", true)) ?? true,
      namespace: env.LEADER_ELECTION_NAMESPACE?.trim() || env.POD_NAMESPACE?.trim() || "default",
      leaseName: env.LEADER_ELECTION_ID?.trim() || "streaming-orders-operator",
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    },
    workloadImage: env.OPERATOR_WORKLOAD_IMAGE?.trim() || DEFAULT_WORKLOAD_IMAGE,
    workloadImagePullPolicy:
      read(() =>
        oneOf<ImagePullPolicy>(
          env,
          "OPERATOR_WORKLOAD_IMAGE_PULL_POLICY",
          "IfNotPresent",
          PULL_POLICIES,
        ),
      ) ?? "IfNotPresent",
    workloadImagePullSecrets: read(() => names(env, "OPERATOR_WORKLOAD_IMAGE_PULL_SECRETS")) ?? [],
    httpPort: read(() => integer(env, "OPERATOR_HTTP_PORT", 8080, 0, 65535)) ?? 0,
    logLevel: read(() => oneOf(env, "LOG_LEVEL", "info", LOG_LEVELS)) ?? "info",
    workers: read(() => integer(env, "RECONCILE_WORKERS", 2, 1, 64)) ?? 1,
    resyncPeriodMs: read(() => seconds(env, "RESYNC_PERIOD_SECONDS", 30)) ?? 0,
    retryBaseDelayMs: read(() => integer(env, "RETRY_BASE_DELAY_MS", 500, 1, 600_000)) ?? 0,
    retryMaxDelayMs: read(() => seconds(env, "RETRY_MAX_DELAY_SECONDS", 60)) ?? 0,
    kafkaConnectTimeoutMs:
      read(() => integer(env, "KAFKA_CONNECT_TIMEOUT_MS", 3000, 100, 120_000)) ?? 0,
    replayEmptyGroupTimeoutMs:
      read(() => seconds(env, "REPLAY_EMPTY_GROUP_TIMEOUT_SECONDS", 120)) ?? 0,
  };
  const kubeconfig = env.KUBECONFIG?.trim();
  if (kubeconfig) config.kubeconfig = kubeconfig;
  if (errors.length > 0) throw new ConfigError(`invalid configuration: ${errors.join("; ")}`);
  return config;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const PULL_POLICIES: readonly ImagePullPolicy[] = ["Always", "IfNotPresent", "Never"];
// A Secret's name: a DNS subdomain.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A comma-separated list of object names, each checked. */
function names(env: Env, name: string): string[] {
  const list = [
    ...new Set(
      (env[name] ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const bad = list.filter((n) => n.length > 253 || !DNS_SUBDOMAIN.test(n));
  if (bad.length > 0) {
    throw new Error(
      `${name}: "${bad.join('", "')}" is not a Secret name (lowercase DNS subdomain)`,
    );
  }
  return list;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function seconds(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback * 1000;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number of seconds, got "${raw}"`);
  }
  return Math.round(value * 1000);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (["true", "1", "yes"].includes(raw)) return true;
  if (["false", "0", "no"].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw new Error(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
  return raw as T;
}
