import { cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { repoRoot } from "../../support/tools.js";
import type { Cli } from "./cli.js";
import type { E2eConfig } from "./config.js";

/** The Strimzi Cluster Operator's chart, the dependency behind `strimzi.install`. */
const STRIMZI_CHART = "strimzi-kafka-operator";

interface Dependency {
  name: string;
  version: string;
  repository: string;
}

/**
 * The chart ready to install: a copy of charts/streaming-orders with its dependencies in charts/,
 * fetched by `helm dependency build` unless already vendored (helm refuses to install a chart
 * whose declared dependency is missing, even a disabled one). When the release does not install
 * Strimzi (`installStrimzi` false), the copy drops that declaration instead of fetching a chart it
 * would never render, so a cluster without access to Strimzi's repository can still install it.
 * The checkout stays untouched.
 */
export async function installableChart(
  cli: Cli,
  given: string | undefined,
  installStrimzi: boolean,
): Promise<string> {
  if (given) return given;
  const dir = join(
    await mkdtemp(join(tmpdir(), "streaming-orders-e2e-chart-")),
    "streaming-orders",
  );
  await cp(join(repoRoot, "charts/streaming-orders"), dir, { recursive: true });
  const chart = yaml.load(await readFile(join(dir, "Chart.yaml"), "utf8")) as {
    dependencies?: Dependency[];
  };
  if (!installStrimzi && chart.dependencies) {
    chart.dependencies = chart.dependencies.filter((d) => d.name !== STRIMZI_CHART);
    if (chart.dependencies.length === 0) delete chart.dependencies;
    await writeFile(join(dir, "Chart.yaml"), yaml.dump(chart));
  }
  const vendored = await readdir(join(dir, "charts")).catch(() => [] as string[]);
  const missing = (chart.dependencies ?? []).filter(
    (d) => !vendored.includes(`${d.name}-${d.version}.tgz`),
  );
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
