import { cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { repoRoot } from "../../support/tools.js";
import type { Cli } from "./cli.js";
import type { E2eConfig } from "./config.js";

interface Dependency {
  name: string;
  version: string;
  repository: string;
}

/**
 * The chart ready to install: a copy of charts/streaming-orders with its dependencies in charts/,
 * fetched by `helm dependency build` unless already vendored (helm refuses to install a chart
 * whose declared dependency is missing, even a disabled one). The checkout stays untouched.
 */
export async function installableChart(cli: Cli, given: string | undefined): Promise<string> {
  if (given) return given;
  const dir = join(
    await mkdtemp(join(tmpdir(), "streaming-orders-e2e-chart-")),
    "streaming-orders",
  );
  await cp(join(repoRoot, "charts/streaming-orders"), dir, { recursive: true });
  const chart = yaml.load(await readFile(join(dir, "Chart.yaml"), "utf8")) as {
    dependencies?: Dependency[];
  };
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
    image: config.image,
    operator: { logLevel: "debug" },
    strimzi: { install: config.installStrimzi },
    kafka,
    samplePipeline: { enabled: true },
  };
  const file = join(await mkdtemp(join(tmpdir(), "streaming-orders-e2e-values-")), "values.yaml");
  await writeFile(file, yaml.dump(values));
  return file;
}
