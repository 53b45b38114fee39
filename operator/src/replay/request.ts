import { REPLAY_ANNOTATION } from "../api/constants.js";
import type { ConsumerSpec, StreamingPipeline } from "../api/types.js";

/** Where a replay moves a group's committed offsets. */
export type ReplayTarget =
  | { kind: "earliest" }
  | { kind: "latest" }
  /** The first event at or after this time (ms since the epoch), per partition. */
  | { kind: "time"; at: number }
  /** That long before the request was accepted (ms, positive). */
  | { kind: "ago"; ms: number };

export interface ReplayRequest {
  consumer: string;
  target: ReplayTarget;
}

export type Refusal = {
  ok: false;
  /** CamelCase, for the Replay condition and the Event. */
  reason: "InvalidReplayRequest" | "UnknownConsumer" | "ReplayTargetInFuture";
  message: string;
};
export type Parsed<T> = { ok: true; value: T } | Refusal;

const EXAMPLES = "e.g. analytics:earliest, inventory:-1h or analytics:2026-01-02T15:04:05Z";
const TARGETS =
  "earliest, latest, an RFC 3339 time (2026-01-02T15:04:05Z) or a negative duration (-1h, -30m, -1h30m)";

const invalid = (message: string): Refusal => ({
  ok: false,
  reason: "InvalidReplayRequest",
  message: `${REPLAY_ANNOTATION}: ${message}`,
});

/**
 * Parses the annotation's value, `<consumer>:<target>`. Only the first colon separates the two,
 * since an RFC 3339 time has colons of its own. Surrounding blanks are ignored; nothing else is
 * guessed at (no `yesterday`, no dates without a time or a zone).
 */
export function parseReplayAnnotation(value: string): Parsed<ReplayRequest> {
  const text = value.trim();
  const colon = text.indexOf(":");
  if (colon < 0) return invalid(`"${value}" is not <consumer>:<target> (${EXAMPLES})`);
  const consumer = text.slice(0, colon).trim();
  const targetText = text.slice(colon + 1).trim();
  if (!consumer) return invalid(`"${value}" names no consumer before the colon (${EXAMPLES})`);
  if (!targetText) return invalid(`"${value}" has no target after the colon: use ${TARGETS}`);
  const target = parseTarget(targetText);
  if (!target.ok) return target;
  return { ok: true, value: { consumer, target: target.value } };
}

export function parseTarget(text: string): Parsed<ReplayTarget> {
  if (text === "earliest" || text === "latest") return { ok: true, value: { kind: text } };
  if (/^\d{4}-/.test(text)) return parseTime(text);
  if (/^[+-]?\d/.test(text)) return parseDuration(text);
  return invalid(`target "${text}" is not ${TARGETS}`);
}

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** `-1h`, `-30m`, `-1h30m`, `-1.5h`, `-2d`, `-90s`: Go's duration syntax, plus days. */
function parseDuration(text: string): Parsed<ReplayTarget> {
  const sign = text[0] === "-" ? -1 : 1;
  const body = text.replace(/^[+-]/, "");
  const parts = [...body.matchAll(/(\d+(?:\.\d+)?)(ms|d|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== body) {
    return invalid(
      `target "${text}" is not a duration: use a number and a unit (d, h, m, s, ms), e.g. -1h, -30m, -1h30m`,
    );
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? ""] ?? 0), 0);
  if (sign > 0) {
    return invalid(`duration "${text}" must be negative (-${body}): a replay goes back in time`);
  }
  if (ms <= 0) return invalid(`duration "${text}" goes back no time at all`);
  return { ok: true, value: { kind: "ago", ms } };
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 3339 date-time: a date, a time and a zone (Z or ±hh:mm), every field in range. */
function parseTime(text: string): Parsed<ReplayTarget> {
  const m = RFC3339.exec(text);
  if (!m) {
    return invalid(
      `target "${text}" is not an RFC 3339 time: write the date, the time and the zone, e.g. 2026-01-02T15:04:05Z or 2026-01-02T16:04:05+01:00`,
    );
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = m[7] ? Number(m[7]) : 0;
  const offsetMinutes = m[8] ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const inRange =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    Number(m[10] ?? 0) <= 23 &&
    Number(m[11] ?? 0) <= 59;
  if (!inRange) return invalid(`target "${text}" is not a valid time (a field is out of range)`);
  const at =
    Date.UTC(year, month - 1, day, hour, minute, second) +
    Math.round(fraction * 1000) -
    offsetMinutes * 60_000;
  return { ok: true, value: { kind: "time", at } };
}

/** A request checked against the pipeline, with its target fixed once for good. */
export interface AcceptedReplay {
  consumer: ConsumerSpec;
  /** `earliest`, `latest`, or an RFC 3339 time in UTC with milliseconds. */
  target: string;
}

/**
 * Checks a parsed request against the pipeline at `now` (ms): the consumer must exist, and a time
 * must not be in the future (there would be nothing to replay). A relative target is resolved
 * here, once, so a replay resumed after a restart goes back to the same point.
 */
export function acceptReplay(
  pipeline: StreamingPipeline,
  request: ReplayRequest,
  now: number,
): Parsed<AcceptedReplay> {
  const consumer = pipeline.spec.consumers.find((c) => c.name === request.consumer);
  if (!consumer) {
    const names = pipeline.spec.consumers.map((c) => c.name).join(", ") || "none";
    return {
      ok: false,
      reason: "UnknownConsumer",
      message: `${REPLAY_ANNOTATION}: pipeline ${pipeline.metadata.name} has no consumer "${request.consumer}" (its consumers: ${names})`,
    };
  }
  const { target } = request;
  switch (target.kind) {
    case "earliest":
    case "latest":
      return { ok: true, value: { consumer, target: target.kind } };
    case "ago":
      return { ok: true, value: { consumer, target: new Date(now - target.ms).toISOString() } };
    case "time":
      if (target.at > now) {
        return {
          ok: false,
          reason: "ReplayTargetInFuture",
          message: `${REPLAY_ANNOTATION}: ${new Date(target.at).toISOString()} is in the future: there is nothing after it to replay (use latest to skip ahead)`,
        };
      }
      return { ok: true, value: { consumer, target: new Date(target.at).toISOString() } };
  }
}
