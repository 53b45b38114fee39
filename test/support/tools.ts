import { execFile, spawn } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

export const repoRoot = resolve(import.meta.dirname, "../..");

const execFileAsync = promisify(execFile);

/** The pinned tool the project builds (`hack/tools.sh path NAME`), never one from PATH. */
export async function toolPath(name: "helm" | "kubectl" | "kind"): Promise<string> {
  const { stdout } = await execFileAsync(resolve(repoRoot, "hack/tools.sh"), ["path", name], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  const path = stdout.trim().split("\n").at(-1);
  if (!path) throw new Error(`hack/tools.sh path ${name} printed nothing`);
  return path;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a command to completion and returns its exit code and output; never throws on exit code. */
export function run(command: string, args: readonly string[], options: RunOptions = {}) {
  return new Promise<RunResult>((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr }),
    );
    child.stdin.end(options.input ?? "");
  });
}

/** Like run, but a non-zero exit is an error that carries the command's stderr. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const shown = [command.split("/").at(-1), ...args].join(" ");
    throw new Error(`${shown} exited with ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}
