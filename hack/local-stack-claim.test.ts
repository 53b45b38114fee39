import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// `hack/local-stack.sh claim|release`: `make demo` and the end-to-end suite share one instance,
// and each stops at the end what it started, so only one may use it at a time.
const run = mkdtempSync(join(tmpdir(), "stack-claim-"));
const holders: ChildProcess[] = [];
afterAll(() => {
  for (const h of holders) h.kill();
  rmSync(run, { recursive: true, force: true });
});

function stack(...args: string[]) {
  const r = spawnSync("hack/local-stack.sh", args, {
    encoding: "utf8",
    env: { ...process.env, STREAMING_ORDERS_RUN: run },
  });
  return { code: r.status, stderr: r.stderr };
}

/** A live process to hold the claim. */
function liveProcess(): number {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  holders.push(child);
  if (!child.pid) throw new Error("could not start sleep");
  return child.pid;
}

describe("claiming the local stack", () => {
  it("refuses a second user while the first lives, naming it, and admits it after the release", () => {
    const demo = liveProcess();
    const suite = liveProcess();
    expect(stack("claim", "make demo", String(demo)).code).toBe(0);
    expect(readFileSync(join(run, "in-use"), "utf8").trim()).toMatch(
      new RegExp(`^${demo} \\d+ make demo$`),
    );
    // The same holder may claim again.
    expect(stack("claim", "make demo", String(demo)).code).toBe(0);

    const refused = stack("claim", "hack/e2e-local.sh", String(suite), "0");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`in use by make demo (pid ${demo})`);

    // Only the holder's release counts.
    expect(stack("release", String(suite)).code).toBe(0);
    expect(stack("claim", "hack/e2e-local.sh", String(suite), "0").code).toBe(1);
    expect(stack("release", String(demo)).code).toBe(0);
    expect(stack("claim", "hack/e2e-local.sh", String(suite), "0").code).toBe(0);
    expect(stack("release", String(suite)).code).toBe(0);
  });

  it("takes over a claim whose holder has died, or whose pid another process now has", () => {
    const claim = join(run, "in-use");
    const suite = liveProcess();
    writeFileSync(claim, `${spawnSync("true").pid} 12345 make demo\n`);
    expect(stack("claim", "hack/e2e-local.sh", String(suite), "0").code).toBe(0);
    expect(readFileSync(claim, "utf8").trim()).toMatch(
      new RegExp(`^${suite} \\d+ hack/e2e-local\\.sh$`),
    );
    expect(stack("release", String(suite)).code).toBe(0);

    // A live pid, but not the process that claimed: its start time differs.
    writeFileSync(claim, `${liveProcess()} 1 make demo\n`);
    expect(stack("claim", "hack/e2e-local.sh", String(suite), "0").code).toBe(0);
    expect(stack("release", String(suite)).code).toBe(0);
  });

  it("claims only for a running process", () => {
    const refused = stack("claim", "make demo", String(spawnSync("true").pid));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("claim: no process");
  });

  it("waits for the holder to finish when given time", () => {
    const demo = spawn("sleep", ["2"], { stdio: "ignore" });
    holders.push(demo);
    expect(stack("claim", "make demo", String(demo.pid)).code).toBe(0);
    const waited = stack("claim", "hack/e2e-local.sh", String(liveProcess()), "30");
    expect(waited.code).toBe(0);
    expect(waited.stderr).toContain("waiting up to 30 s");
  }, 40_000);
});
