import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "../../support/tools.js";

/** The project's own metric names (prefixes the operator and workloads use) in PromQL expressions. */
export function metricNamesIn(exprs: readonly string[]): Set<string> {
  const names = new Set<string>();
  const pattern = /\b((?:streaming_orders|analytics|inventory|orders|order|kafka)_[a-z0-9_]+)\b/g;
  for (const expr of exprs) {
    // Label values and matchers are quoted; metric names never are.
    const unquoted = expr.replace(/"[^"]*"/g, '""');
    for (const match of unquoted.matchAll(pattern)) if (match[1]) names.add(match[1]);
  }
  return names;
}

/** Every snake_case string literal in operator/src and workloads/src: the metric names they register. */
export async function metricsDefinedInSource(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const dir of ["operator/src", "workloads/src"]) {
    const files = await readdir(join(repoRoot, dir), { recursive: true });
    for (const file of files) {
      if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
      const text = await readFile(join(repoRoot, dir, file), "utf8");
      for (const match of text.matchAll(/"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)"/g)) {
        if (match[1]) names.add(match[1]);
      }
    }
  }
  return names;
}
