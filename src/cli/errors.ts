import { ClusterError } from "../cluster/types.js";
import { InspectError } from "../inspect/errors.js";
import { SourceError } from "../sources/types.js";

/** The CLI's one error class: a one-line message for stderr and the exit status. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/**
 * The typed errors of inspect, the sources and the cluster become the CLI's one line and exit status 1,
 * their messages unchanged; anything else (a bug) is rethrown as it is.
 */
export function rethrowAsCliError(error: unknown): never {
  if (error instanceof CliError) throw error;
  if (error instanceof InspectError || error instanceof SourceError || error instanceof ClusterError)
    throw new CliError(error.message, 1, { cause: error });
  throw error;
}

/** Durations as kubectl writes them: `500ms`, `30s`, `5m`, `1h`. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (match === null)
    throw new CliError(`${flag}: invalid duration "${text}" (expected e.g. 500ms, 30s, 5m, 1h)`);
  const value = Number(match[1]);
  const unit = match[2] ?? "s";
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit] ?? 1000;
  return value * factor;
}
