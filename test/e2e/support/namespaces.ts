import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { TestContext } from "vitest";
import type { Cli } from "./cli.js";
import type { E2eConfig } from "./config.js";
import { dumpDiagnostics } from "./diagnostics.js";

/**
 * A namespace of the test's own, deleted when the test ends (waiting, so that the operator can
 * still remove its pipelines' topics); if the test fails, the logs and events of it and of
 * `alsoDump` are written to the artifacts directory first.
 */
export async function testNamespace(
  ctx: TestContext,
  cli: Cli,
  config: E2eConfig,
  prefix: string,
  alsoDump: readonly string[] = [],
): Promise<string> {
  const namespace = `${config.runId}-${prefix}-${randomUUID().slice(0, 4)}`;
  await cli.kubectlOk(["create", "namespace", namespace]);
  onFailureDump(ctx, cli, config, [namespace, ...alsoDump]);
  ctx.onTestFinished(async () => {
    await cli.kubectl(["delete", "namespace", namespace, "--ignore-not-found", "--timeout=5m"]);
  });
  return namespace;
}

/** Dumps the namespaces' objects, events and logs if the test fails. */
export function onFailureDump(
  ctx: TestContext,
  cli: Cli,
  config: E2eConfig,
  namespaces: readonly string[],
): void {
  ctx.onTestFailed(async () => {
    const dir = join(config.artifacts, ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60));
    await dumpDiagnostics(cli, namespaces, dir);
    console.error(`diagnostics of "${ctx.task.name}" written to ${dir}`);
  });
}
