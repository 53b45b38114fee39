import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { type RunResult, repoRoot, run, toolPath } from "../../support/tools.js";

export const chartSource = join(repoRoot, "charts/streaming-orders");

interface Dependency {
  name: string;
  version: string;
  repository: string;
  condition?: string;
}

/**
 * A copy of the chart that helm can lint and render on a machine without internet. Helm refuses
 * a chart whose declared dependency is missing from charts/, whatever its condition, and the
 * Strimzi chart cannot be fetched here; so when `helm dependency build` has not vendored it, the
 * copy gets an empty stand-in chart of the same name and version. The stand-in renders nothing:
 * it is only ever exercised with strimzi.install false, or to show the condition is wired.
 */
export interface ChartWorkspace {
  dir: string;
  helm: string;
  /** Dependencies replaced by an empty stand-in (not vendored in charts/streaming-orders/charts). */
  standIns: string[];
  remove(): Promise<void>;
}

export async function chartWorkspace(): Promise<ChartWorkspace> {
  const root = await mkdtemp(join(tmpdir(), "streaming-orders-chart-"));
  const dir = join(root, "streaming-orders");
  await cp(chartSource, dir, { recursive: true });
  const chart = yaml.load(await readFile(join(dir, "Chart.yaml"), "utf8")) as {
    dependencies?: Dependency[];
  };
  const vendored = await readdir(join(dir, "charts")).catch(() => [] as string[]);
  const standIns: string[] = [];
  for (const dep of chart.dependencies ?? []) {
    if (vendored.includes(`${dep.name}-${dep.version}.tgz`) || vendored.includes(dep.name))
      continue;
    const standIn = join(dir, "charts", dep.name);
    await mkdir(join(standIn, "templates"), { recursive: true });
    await writeFile(
      join(standIn, "Chart.yaml"),
      `apiVersion: v2\nname: ${dep.name}\nversion: ${dep.version}\ndescription: empty offline stand-in for tests\n`,
    );
    standIns.push(dep.name);
  }
  return {
    dir,
    helm: await toolPath("helm"),
    standIns,
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  valuesFiles?: string[];
  set?: string[];
}

function valueArgs(options: RenderOptions): string[] {
  return [
    ...(options.valuesFiles ?? []).flatMap((f) => ["--values", f]),
    ...(options.set ?? []).flatMap((s) => ["--set", s]),
  ];
}

/** `helm template`; the result carries stderr for refusals. */
export function helmTemplate(ws: ChartWorkspace, options: RenderOptions = {}): Promise<RunResult> {
  return run(ws.helm, [
    "template",
    options.release ?? "so",
    ws.dir,
    "--namespace",
    options.namespace ?? "streaming-orders",
    ...valueArgs(options),
  ]);
}

/** `helm lint --strict`: warnings fail too. */
export function helmLint(ws: ChartWorkspace, options: RenderOptions = {}): Promise<RunResult> {
  return run(ws.helm, ["lint", "--strict", ws.dir, ...valueArgs(options)]);
}

/** What `helm install` would print, NOTES included, without a cluster. */
export function helmInstallDryRun(
  ws: ChartWorkspace,
  options: RenderOptions = {},
): Promise<RunResult> {
  return run(ws.helm, [
    "install",
    options.release ?? "so",
    ws.dir,
    "--dry-run=client",
    "--namespace",
    options.namespace ?? "streaming-orders",
    ...valueArgs(options),
  ]);
}

/** Rendered manifests as objects, skipping empty documents. */
export function parseManifests(text: string): KubernetesObject[] {
  return yaml.loadAll(text).filter((doc): doc is KubernetesObject => doc !== null);
}

/** Renders and parses, failing with helm's message when it refuses. */
export async function renderObjects(
  ws: ChartWorkspace,
  options: RenderOptions = {},
): Promise<KubernetesObject[]> {
  const result = await helmTemplate(ws, options);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

/** The ci/ values files, as absolute paths. */
export async function ciValuesFiles(): Promise<string[]> {
  const names = (await readdir(join(chartSource, "ci"))).filter((n) => n.endsWith(".yaml"));
  return names.sort().map((n) => join(chartSource, "ci", n));
}
