import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { chartCopy } from "../../../hack/chart-copy.js";
import type { Cli } from "./cli.js";
import type { E2eConfig } from "./config.js";

/**
 * The chart ready to install: a copy of charts/streaming-orders with its dependencies in charts/,
 * fetched by `helm dependency build` unless already vendored. When the release does not install
 * Strimzi (`installStrimzi` false), the copy drops that declaration instead of fetching a chart it
 * would never render, so a cluster without access to Strimzi's repository can still install it.
 */
export async function installableChart(
  cli: Cli,
  given: string | undefined,
  installStrimzi: boolean,
): Promise<string> {
  if (given) return given;
  const { dir, dependencies } = await chartCopy("streaming-orders-e2e-chart-", !installStrimzi);
  const vendored = await readdir(join(dir, "charts")).catch(() => [] as string[]);
  const missing = dependencies.filter((d) => !vendored.includes(`${d.name}-${d.version}.tgz`));
  if (missing.length === 0) return dir;
  for (const dep of missing) {
    await cli.helmOk(["repo", "add", "--force-update", dep.name, dep.repository]);
  }
  await cli.helmOk(["dependency", "build", dir]);
  return dir;
}

/** The values the suite installs the chart with, as a file for `helm install --values`. */
export async function writeInstallValues(config: E2eConfig): Promise<string> {
  const kafka = config.kafkaBootstrap
    ? { mode: "external", external: { bootstrapServers: config.kafkaBootstrap } }
    : {
        mode: "strimzi",
        // Small enough for a laptop's kind node.
        strimzi: { resources: { requests: { cpu: "100m", memory: "768Mi" } } },
      };
  const values = {
    image: config.imagePullPolicy
      ? { ...config.image, pullPolicy: config.imagePullPolicy }
      : config.image,
    operator: { logLevel: "debug" },
    strimzi: { install: config.installStrimzi },
    kafka,
    samplePipeline: { enabled: true },
  };
  const file = join(await mkdtemp(join(tmpdir(), "streaming-orders-e2e-values-")), "values.yaml");
  await writeFile(file, yaml.dump(values));
  return file;
}
