import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

// The end-to-end suite (test/e2e) installs the chart on a cluster that runs pods. It joins only
// when E2E_KUBECONFIG names such a cluster: hack/e2e-local.sh (this machine's cluster with its
// node, part of `make test`) and hack/kind-e2e.sh set it.
const e2e: TestProjectInlineConfiguration[] = process.env.E2E_KUBECONFIG
  ? [
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          // One cluster, one release: the user's journey runs in order.
          fileParallelism: false,
          testTimeout: 30 * 60_000,
          hookTimeout: 20 * 60_000,
        },
      },
    ]
  : [];

// Two projects: unit tests (pure logic, no services) and integration tests, which talk to the real
// Kafka broker and Kubernetes API server that the global setup starts once per run.
export default defineConfig({
  test: {
    reporters: ["default", "./test/setup/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "operator/**/*.test.ts",
            "workloads/**/*.test.ts",
            "bench/**/*.test.ts",
            "hack/**/*.test.ts",
          ],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["./test/setup/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Integration tests share one broker and one API server; run files one at a time so
          // their timings stay meaningful on a two-core machine.
          fileParallelism: false,
        },
      },
      ...e2e,
    ],
  },
});
