import { type LogEntry, type logCreator, logLevel } from "kafkajs";
import type { Logger } from "../observability/logger.js";

// Our idempotent producers bound their retries on purpose: the HTTP producer replaces its producer
// after a failed send, the transactional one aborts; kafkajs warns about it on every creation.
const BOUNDED_RETRIES_WARNING = "Limiting retries for the idempotent producer";

/** Routes kafkajs' own log lines into the role's pino logger, under `component: kafkajs`. */
export function pinoLogCreator(logger: Logger): logCreator {
  const kafkaLogger = logger.child({ component: "kafkajs" });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { namespace, ...extra };
      if (message.startsWith(BOUNDED_RETRIES_WARNING)) {
        kafkaLogger.debug(fields, message);
        return;
      }
      switch (level) {
        case logLevel.ERROR:
          kafkaLogger.error(fields, message);
          break;
        case logLevel.WARN:
          kafkaLogger.warn(fields, message);
          break;
        case logLevel.INFO:
          kafkaLogger.info(fields, message);
          break;
        default:
          kafkaLogger.debug(fields, message);
      }
    };
}

/** kafkajs is chatty at info; its lines only show at warn and above unless the role debugs. */
export function kafkaLogLevel(logger: Logger): logLevel {
  if (logger.level === "silent") return logLevel.NOTHING;
  return logger.isLevelEnabled("debug") ? logLevel.DEBUG : logLevel.WARN;
}
