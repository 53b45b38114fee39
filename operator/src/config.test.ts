import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_WORKLOAD_IMAGE, parseConfig } from "./config.js";

describe("parseConfig", () => {
  it("has working defaults for an empty environment", () => {
    const config = parseConfig({}, "host");
    expect(config).toMatchObject({
      watchNamespaces: [],
      workloadImage: DEFAULT_WORKLOAD_IMAGE,
      workloadImagePullPolicy: "IfNotPresent",
      workloadImagePullSecrets: [],
      httpPort: 8080,
      logLevel: "info",
      workers: 2,
      resyncPeriodMs: 30_000,
      retryBaseDelayMs: 500,
      retryMaxDelayMs: 60_000,
      kafkaConnectTimeoutMs: 3000,
      replayEmptyGroupTimeoutMs: 120_000,
      leaderElection: {
        enabled: true,
        namespace: "default",
        leaseName: "streaming-orders-operator",
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2000,
      },
    });
    expect(config.kubeconfig).toBeUndefined();
    expect(config.identity).toMatch(/^host-\d+$/);
  });

  it("reads the variables a Deployment sets", () => {
    const config = parseConfig({
      KUBECONFIG: "/tmp/kc",
      WATCH_NAMESPACES: "shop, payments",
      POD_NAME: "op-0",
      POD_NAMESPACE: "operators",
      LEADER_ELECTION: "false",
      OPERATOR_WORKLOAD_IMAGE: "registry/workloads:1.2",
      OPERATOR_WORKLOAD_IMAGE_PULL_POLICY: "Always",
      OPERATOR_WORKLOAD_IMAGE_PULL_SECRETS: "regcred, mirror.creds, regcred",
      OPERATOR_HTTP_PORT: "9090",
      LOG_LEVEL: "debug",
      REPLAY_EMPTY_GROUP_TIMEOUT_SECONDS: "45",
    });
    expect(config).toMatchObject({
      kubeconfig: "/tmp/kc",
      watchNamespaces: ["shop", "payments"],
      identity: "op-0",
      workloadImage: "registry/workloads:1.2",
      workloadImagePullPolicy: "Always",
      workloadImagePullSecrets: ["regcred", "mirror.creds"],
      httpPort: 9090,
      logLevel: "debug",
      leaderElection: { enabled: false, namespace: "operators" },
      replayEmptyGroupTimeoutMs: 45_000,
    });
  });

  it("accepts WATCH_NAMESPACE for a single namespace", () => {
    expect(parseConfig({ WATCH_NAMESPACE: "shop" }).watchNamespaces).toEqual(["shop"]);
  });

  it.each([
    {
      env: { OPERATOR_HTTP_PORT: "http" },
      message: 'OPERATOR_HTTP_PORT must be an integer between 0 and 65535, got "http"',
    },
    {
      env: { LEADER_ELECTION: "maybe" },
      message: 'LEADER_ELECTION must be true or false, got "maybe"',
    },
    {
      env: { WATCH_NAMESPACES: "Shop" },
      message: 'WATCH_NAMESPACES: "Shop" is not a namespace name',
    },
    { env: { LOG_LEVEL: "loud" }, message: "LOG_LEVEL must be one of" },
    {
      env: { OPERATOR_WORKLOAD_IMAGE_PULL_POLICY: "always" },
      message:
        'OPERATOR_WORKLOAD_IMAGE_PULL_POLICY must be one of Always, IfNotPresent, Never, got "always"',
    },
    {
      env: { OPERATOR_WORKLOAD_IMAGE_PULL_SECRETS: "regcred,Reg_Cred" },
      message: 'OPERATOR_WORKLOAD_IMAGE_PULL_SECRETS: "Reg_Cred" is not a Secret name',
    },
    {
      env: { REPLAY_EMPTY_GROUP_TIMEOUT_SECONDS: "soon" },
      message: "REPLAY_EMPTY_GROUP_TIMEOUT_SECONDS must be a positive number of seconds",
    },
    {
      env: { RESYNC_PERIOD_SECONDS: "-1" },
      message: "RESYNC_PERIOD_SECONDS must be a positive number of seconds",
    },
    {
      env: { LEADER_ELECTION_LEASE_SECONDS: "5", LEADER_ELECTION_RENEW_DEADLINE_SECONDS: "5" },
      message:
        "LEADER_ELECTION_RENEW_DEADLINE_SECONDS must be less than LEADER_ELECTION_LEASE_SECONDS",
    },
  ])("names the variable in the error: $message", ({ env, message }) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it("reports every bad variable at once", () => {
    expect(() => parseConfig({ OPERATOR_HTTP_PORT: "x", RECONCILE_WORKERS: "0" })).toThrow(
      /OPERATOR_HTTP_PORT.*; RECONCILE_WORKERS/,
    );
  });
});
