import type { V1Deployment, V1EnvVar } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { deploymentEnv, deploymentRole } from "./deployment-env.js";

const deployment = (env: V1EnvVar[]): V1Deployment => ({
  metadata: { name: "orders-inventory" },
  spec: {
    selector: {},
    template: {
      spec: {
        containers: [
          { name: "main", command: ["node", "dist/workloads/src/main.js", "inventory"], env },
        ],
      },
    },
  },
});

describe("deploymentEnv", () => {
  it("gives a local process the container's variables", () => {
    const d = deployment([
      { name: "KAFKA_BOOTSTRAP_SERVERS", value: "127.0.0.1:19092" },
      { name: "KAFKA_GROUP_ID", value: "inventory-group" },
    ]);
    expect(deploymentEnv(d)).toEqual({
      KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:19092",
      KAFKA_GROUP_ID: "inventory-group",
    });
    expect(deploymentRole(d)).toBe("inventory");
  });

  it("refuses a variable from a Secret, naming it", () => {
    const d = deployment([
      { name: "KAFKA_SASL_PASSWORD", valueFrom: { secretKeyRef: { name: "u", key: "password" } } },
    ]);
    expect(() => deploymentEnv(d)).toThrow(
      /orders-inventory: KAFKA_SASL_PASSWORD comes from a Secret/,
    );
  });
});
