/**
 * The dashboard API's query parameters: filters, page sizes, `continue` tokens and times. A bad
 * parameter is an `ApiError` (400) naming it, never a silently widened answer.
 */
import type { ResourceStatus } from "../model/index.js";
import { ResourceStatuses } from "../model/index.js";

/** An answer other than 200, as JSON `{"error": message}`. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const defaultPageSize = 100;
export const maxPageSize = 1000;

/** `limit`: 1 to `maxPageSize`, `defaultPageSize` when absent; more is refused, not cut, so that no client believes it got all. */
export function pageSize(params: URLSearchParams): number {
  const text = params.get("limit");
  if (text === null) return defaultPageSize;
  const value = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || value > maxPageSize)
    throw new ApiError(400, `limit: expected a whole number from 1 to ${maxPageSize}, got "${text}"`);
  return value;
}

/** The non-empty value of a filter; an empty one is an error rather than a filter that matches nothing. */
export function filterValue(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (value.trim() === "") throw new ApiError(400, `${name}: empty`);
  return value;
}

/** `status=Drifted,Missing`: one or more of the report's status names. */
export function statusFilter(params: URLSearchParams): ReadonlySet<ResourceStatus> | undefined {
  const text = filterValue(params, "status");
  if (text === undefined) return undefined;
  const known: readonly string[] = Object.values(ResourceStatuses);
  const names = text.split(",").map((name) => name.trim());
  const unknown = names.find((name) => !known.includes(name));
  if (unknown !== undefined)
    throw new ApiError(400, `status: unknown status "${unknown}" (expected ${known.join(", ")})`);
  return new Set(names as ResourceStatus[]);
}

/**
 * A `continue` token: opaque to clients (base64url JSON), so that its content can change. Keyset
 * rather than offset: a page boundary stays put while statuses change between requests.
 */
export function encodeToken(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/** The position a token holds, checked by `valid`; a token that is not one is a 400. */
export function decodeToken<T>(
  params: URLSearchParams,
  valid: (value: unknown) => value is T,
): T | undefined {
  const text = params.get("continue");
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (valid(value)) return value;
  } catch {
    // Reported below, as any other token that is not one of ours.
  }
  throw new ApiError(400, "continue: not a token of this API (start again without it)");
}

const units: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `since=24h` (before now; also `90m`, `7d`, `30s`, as `kubedrift history --since`) or an RFC 3339
 * time; the result is RFC 3339 UTC.
 */
export function timeFilter(params: URLSearchParams, name: string, now: Date): string | undefined {
  const text = filterValue(params, name);
  if (text === undefined) return undefined;
  const duration = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (duration !== null)
    return new Date(now.getTime() - Number(duration[1]) * (units[duration[2] ?? "s"] ?? 0)).toISOString();
  const time = new Date(text);
  if (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text) &&
    !isNaN(time.getTime())
  )
    return time.toISOString();
  throw new ApiError(
    400,
    `${name}: invalid time "${text}" (expected a duration before now such as 90m, 24h, 7d, or an RFC 3339 time)`,
  );
}

/** `true`, `1` or no value turn a flag on; `false` and `0` off. */
export function booleanFilter(params: URLSearchParams, name: string): boolean {
  const text = params.get(name);
  if (text === null || text === "false" || text === "0") return false;
  if (text === "" || text === "true" || text === "1") return true;
  throw new ApiError(400, `${name}: expected true or false, got "${text}"`);
}
