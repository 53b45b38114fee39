import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Cli } from "./cli.js";

/**
 * Writes what a person needs to see why a test failed: every object, the pipelines' status, the
 * events in time order, and the last logs of every pod (previous containers too), per namespace.
 */
export async function dumpDiagnostics(
  cli: Cli,
  namespaces: readonly string[],
  dir: string,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const namespace of namespaces) {
    const commands: Array<[string, string[]]> = [
      ["objects.txt", ["get", "all,sp,cm,sa,role,rolebinding,lease", "-o", "wide"]],
      ["strimzi.txt", ["get", "kafka,kafkanodepool", "-o", "wide"]],
      ["pipelines.yaml", ["get", "sp", "-o", "yaml"]],
      ["describe-pipelines.txt", ["describe", "sp"]],
      ["describe-pods.txt", ["describe", "pods"]],
      ["events.txt", ["get", "events", "--sort-by=.lastTimestamp"]],
      [
        "logs.txt",
        [
          "logs",
          "--all-containers",
          "--prefix",
          "--tail=300",
          "-l",
          "app.kubernetes.io/part-of=streaming-orders",
          "--max-log-requests=20",
        ],
      ],
      [
        "logs-previous.txt",
        [
          "logs",
          "--all-containers",
          "--prefix",
          "--previous",
          "--tail=300",
          "-l",
          "app.kubernetes.io/part-of=streaming-orders",
          "--max-log-requests=20",
        ],
      ],
    ];
    for (const [file, args] of commands) {
      const result = await cli.kubectl(["-n", namespace, ...args]);
      await writeFile(join(dir, `${namespace}-${file}`), result.stdout + result.stderr);
    }
  }
  return dir;
}
