import { type Logger, pino } from "pino";
import type { LogLevel } from "../config/kafka.js";

export type { Logger };

/** JSON logs on stdout, one line per event, with the role on every line. */
export function createLogger(role: string, level: LogLevel = "info"): Logger {
  return pino({
    level,
    base: { role },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
