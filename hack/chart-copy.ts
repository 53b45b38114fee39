import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import yaml from "js-yaml";
import { repoRoot } from "./local-services.js";

/** The chart of the Strimzi Cluster Operator, the dependency behind `strimzi.install`. */
export const STRIMZI_CHART = "strimzi-kafka-operator";

export interface ChartDependency {
  name: string;
  version: string;
  repository: string;
}

/**
 * A copy of charts/streaming-orders in a temporary directory, the checkout left untouched. Helm
 * refuses a chart whose declared dependency is missing, even a disabled one, so a release that
 * does not install Strimzi (`dropStrimzi`) gets a copy without that declaration. Returns the copy
 * and the dependencies it still declares.
 */
export async function chartCopy(
  prefix: string,
  dropStrimzi: boolean,
): Promise<{ dir: string; dependencies: ChartDependency[] }> {
  const dir = join(await mkdtemp(join(tmpdir(), prefix)), "streaming-orders");
  await cp(resolve(repoRoot, "charts/streaming-orders"), dir, { recursive: true });
  const file = join(dir, "Chart.yaml");
  const chart = yaml.load(await readFile(file, "utf8")) as { dependencies?: ChartDependency[] };
  if (dropStrimzi && chart.dependencies) {
    chart.dependencies = chart.dependencies.filter((d) => d.name !== STRIMZI_CHART);
    if (chart.dependencies.length === 0) delete chart.dependencies;
    await writeFile(file, yaml.dump(chart));
  }
  return { dir, dependencies: chart.dependencies ?? [] };
}
