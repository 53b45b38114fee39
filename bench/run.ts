import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

// Runs each benchmark in its own process (so one's heap and sockets do not colour the next), in
// order; `node dist/bench/run.js ingest` runs one.
const all = ["ingest", "consume", "operator", "autoscale"];
const chosen = process.argv.slice(2);
const names = chosen.length ? chosen : all;
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) throw new Error(`unknown benchmark ${name}; known: ${all.join(", ")}`);
  process.stderr.write(`\n== bench ${name}\n`);
  const result = spawnSync(process.execPath, [resolve(import.meta.dirname, `${name}.js`)], {
    stdio: "inherit",
  });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
