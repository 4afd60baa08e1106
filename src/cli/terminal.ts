import { InvalidArgumentError } from "commander";
import { silentProgress } from "../inspect/progress.js";
import type { DiffIO } from "./diff.js";
import { terminalProgress } from "./progress.js";

/**
 * A value flag given an empty value (`-n ''`, `--context ''`, often an unset shell variable) names
 * nothing; taking it as "not given" would quietly use the default namespace or context instead.
 */
export function nonEmpty(value: string): string {
  if (value === "") throw new InvalidArgumentError("must not be empty");
  return value;
}

/** commander's way to collect a repeatable flag. */
export function collect(value: string, previous: readonly string[] | undefined): readonly string[] {
  return [...(previous ?? []), nonEmpty(value)];
}

/** Colour only on a terminal, and never with NO_COLOR (no-color.org). */
export function wantsColor(): boolean {
  return process.stdout.isTTY === true && (process.env["NO_COLOR"] ?? "") === "";
}

/** The process's streams as the commands' I/O: notes and progress on stderr, results on stdout. */
export function terminalIO(options: { readonly color: boolean; readonly progress: boolean }): DiffIO {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    write: (text) => process.stdout.write(text),
    note: (line) => process.stderr.write(`note: ${line}\n`),
    progress: options.progress ? terminalProgress(process.stderr) : silentProgress,
    color: options.color,
    now: () => new Date(),
  };
}
