import { ApiException } from "@kubernetes/client-node";

/** The HTTP status of a failed API call, or undefined for a non-HTTP failure. */
export function statusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { code?: unknown; statusCode?: unknown })?.statusCode;
  return typeof code === "number" ? code : undefined;
}

export const isNotFound = (err: unknown) => statusCode(err) === 404;
export const isConflict = (err: unknown) => statusCode(err) === 409;

/** The API server's own message (its Status body), else the error's message. */
export function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as unknown;
    let parsed: { message?: string } | undefined;
    if (typeof body === "string") {
      try {
        parsed = JSON.parse(body) as { message?: string };
      } catch {
        return `HTTP ${err.code}: ${body.slice(0, 500)}`;
      }
    } else if (body && typeof body === "object") {
      parsed = body as { message?: string };
    }
    return parsed?.message ? parsed.message : `HTTP ${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
}
