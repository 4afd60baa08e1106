import { InvalidArgumentError } from "commander";
import type { Trace } from "../cluster/index.js";

/** kubedrift's levels: 1 a line per request (kubectl -v=6), 2 also headers, retries and the kubeconfig (-v=7 and up, or --debug). */
export const Verbosity = { quiet: 0, requests: 1, debug: 2 } as const;

/**
 * `-v` alone is level 1; kubectl's numbers are understood too (`-v 6`, `-v=6`, `-v6`): 1–6 show
 * the requests, 7 and up their headers as well, 0 nothing.
 */
export function parseVerbosity(value: string): number {
  const level = Number(value.replace(/^=/, ""));
  if (!Number.isInteger(level) || level < 0)
    throw new InvalidArgumentError("expected a level: -v, or kubectl's -v=6 (requests), -v=7 (headers)");
  if (level === 0) return Verbosity.quiet;
  return level >= 7 ? Verbosity.debug : Verbosity.requests;
}

export interface VerbosityFlags {
  /** `-v` alone is `true`; `-v=6` is parsed by parseVerbosity. */
  readonly verbose?: number | true;
  readonly debug?: boolean;
}

/** The level the flags ask for: --debug is the loudest. */
export function verbosityOf(flags: VerbosityFlags): number {
  if (flags.debug === true) return Verbosity.debug;
  return flags.verbose === true ? Verbosity.requests : (flags.verbose ?? Verbosity.quiet);
}

/** Request lines on stderr (`trace: GET https://… 200 OK in 12ms`), or none. */
export function traceOf(flags: VerbosityFlags): Trace | undefined {
  const level = verbosityOf(flags);
  if (level === Verbosity.quiet) return undefined;
  return { level, write: (line) => process.stderr.write(`trace: ${line}\n`) };
}
