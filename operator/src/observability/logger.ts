import { type Logger, pino } from "pino";

/** JSON lines on stdout, one per event, with the operator's name and the replica's identity. */
export function createLogger(level: string, identity: string): Logger {
  return pino({
    level,
    base: { component: "streaming-orders-operator", identity },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
