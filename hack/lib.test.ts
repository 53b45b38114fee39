import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const scratch = mkdtempSync(join(tmpdir(), "hack-lib-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Runs a snippet with hack/lib.sh sourced, its cache and run folders in a scratch directory.
function withLib(snippet: string): string {
  return execFileSync("bash", ["-c", `source hack/lib.sh; ${snippet}`], {
    encoding: "utf8",
    env: {
      ...process.env,
      STREAMING_ORDERS_CACHE: join(scratch, "cache"),
      STREAMING_ORDERS_RUN: join(scratch, "run"),
    },
  });
}

describe("kafka_cluster_id", () => {
  it("gives 22-character URL-safe ids that never start with '-' (the storage tool reads those as options)", () => {
    // One random id in 64 starts with "-"; 1,500 draws hit it with near certainty.
    const ids = withLib("for i in $(seq 1500); do kafka_cluster_id; done").trim().split("\n");
    expect(ids).toHaveLength(1500);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(1500);
  }, 60_000);
});
