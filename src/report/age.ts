const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * `45s ago`, `3m ago`, `2h ago`, `5d ago`: the largest whole unit, rounded down, so that an age never
 * claims more time than has passed. `now` is an input to keep renderers deterministic. A timestamp
 * ahead of `now` (clock skew between the API server and this machine) reads `just now`; an unreadable
 * one gives undefined so that callers leave the age out rather than print nonsense.
 */
export function formatAge(timestamp: string, now: Date): string | undefined {
  const then = Date.parse(timestamp);
  if (Number.isNaN(then)) return undefined;
  const elapsed = now.getTime() - then;
  if (elapsed < SECOND) return "just now";
  if (elapsed < MINUTE) return `${Math.floor(elapsed / SECOND)}s ago`;
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)}m ago`;
  if (elapsed < DAY) return `${Math.floor(elapsed / HOUR)}h ago`;
  return `${Math.floor(elapsed / DAY)}d ago`;
}
