// The image runs the compiled JavaScript under plain Node, whose ESM loader is stricter than the
// test runner's (a CommonJS package's named exports, for one). This builds the project as the
// image does and loads every module and entry point the way a pod would.
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/kafka.js";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../..");
const outDir = join(repoRoot, "dist", ".test-builds", uniqueName("compiled"));
const tsc = join(repoRoot, "node_modules/.bin/tsc");

/** Modules that start a program when loaded: run below, not imported. */
const isEntryPoint = (path: string) => path.endsWith("/main.js") || /^bench\/[^/]+\.js$/.test(path);

async function compiledModules(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".js") && !e.name.endsWith(".test.js"))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Runs `node <args>` to its end and returns its exit code and output, failures included. */
async function node(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  await run(tsc, ["-p", "tsconfig.build.json", "--outDir", outDir, "--sourceMap", "false"], {
    cwd: repoRoot,
  });
}, 120_000);

afterAll(async () => {
  const { rm } = await import("node:fs/promises");
  await rm(outDir, { recursive: true, force: true });
});

describe("the compiled project under plain Node", () => {
  it("loads every library module", async () => {
    const modules = (await compiledModules(outDir)).filter((m) => !isEntryPoint(m));
    expect(modules).toContain("operator/src/kafka/topic-admin.js");
    const script = modules
      .map((m) => `await import(${JSON.stringify(join(outDir, m))});`)
      .join("\n");
    const result = await node(["--input-type=module", "-e", script]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("starts the operator far enough to refuse a bad setting by name", async () => {
    const result = await node([join(outDir, "operator/src/main.js")], {
      OPERATOR_HTTP_PORT: "eighty",
    });
    expect(result.stderr).toContain("OPERATOR_HTTP_PORT");
    expect(result.code).toBe(2);
  });

  it("starts a workload far enough to refuse a missing Kafka address by name", async () => {
    const result = await node([join(outDir, "workloads/src/main.js"), "producer"]);
    expect(`${result.stdout}${result.stderr}`).toContain("KAFKA_BOOTSTRAP_SERVERS");
    expect(result.code).not.toBe(0);
  });

  it("names the roles when started without one", async () => {
    const result = await node([join(outDir, "workloads/src/main.js")]);
    expect(result.stderr).toContain("usage: main.js producer|inventory|analytics");
    expect(result.code).toBe(2);
  });
});
