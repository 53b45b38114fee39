// The operator's process: parse the environment once, start, and stop cleanly on SIGTERM/SIGINT.
import { hostname } from "node:os";
import { ConfigError, parseConfig } from "./config.js";
import { startOperator } from "./operator.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env, hostname());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${JSON.stringify({ level: "fatal", msg: err.message })}\n`);
      process.exit(2);
    }
    throw err;
  }
  const operator = await startOperator({
    baseConfig: config,
    processMetrics: true,
    httpHost: "0.0.0.0",
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${JSON.stringify({ level: "info", msg: `${signal}: shutting down` })}\n`);
    operator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${JSON.stringify({ level: "error", msg: String(err) })}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: "fatal", msg: "operator failed to start", error: String(err) })}\n`,
  );
  process.exit(1);
});
