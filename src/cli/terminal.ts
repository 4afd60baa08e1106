import { InvalidArgumentError, type Command } from "commander";
import { silentProgress } from "../inspect/progress.js";
import type { DiffIO } from "./diff.js";
import { CliError } from "./errors.js";
import { terminalProgress } from "./progress.js";

/**
 * A value flag given an empty value (`-n ''`, `--context ''`, often an unset shell variable) names
 * nothing; taking it as "not given" would quietly use the default namespace or context instead.
 */
export function nonEmpty(value: string): string {
  if (value === "") throw new InvalidArgumentError("must not be empty");
  return value;
}

/** A count flag that takes 0 (kubectl's `--chunk-size 0`: no paging). */
export function nonNegativeInteger(value: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(value)) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return Number(value);
}

/** Which kubeconfig and context: the flags of every command that talks to a cluster. */
export function withContextFlags(command: Command): Command {
  return command
    .option(
      "--kubeconfig <file>",
      "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)",
      nonEmpty,
    )
    .option(
      "--context <name>",
      "kubeconfig context to use (diff, plan and lint --live: repeatable, the clusters checked at once)",
      collect,
    );
}

/** `--all-contexts`: the commands that check several clusters at once. */
export function withAllContextsFlag(command: Command): Command {
  return command.option(
    "--all-contexts",
    "every context of the kubeconfig, checked at once, in one report with a cluster on each resource",
  );
}

/**
 * The one context of a command that works on one cluster: kubectl takes the last of a repeated
 * flag, but two clusters named where one is used would be ignored silently.
 */
export function oneContext(contexts: readonly string[] | undefined): string | undefined {
  if (contexts === undefined || contexts.length <= 1) return contexts?.[0];
  throw new CliError(
    `--context: this command works on one cluster at a time, not ${contexts.length} (diff, plan and lint --live take several)`,
  );
}

/** commander's way to collect a repeatable flag. */
export function collect(value: string, previous: readonly string[] | undefined): readonly string[] {
  return [...(previous ?? []), nonEmpty(value)];
}

/** What the colour decision reads: the `--no-color` flag, the environment, whether the output is a terminal. */
export interface ColorInputs {
  /** commander's value of `--no-color`: false when it was given; true or absent otherwise. */
  readonly flag?: boolean | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTTY: boolean;
}

/**
 * Whether to colour, first rule that speaks wins:
 * 1. `--no-color`: off, whatever the environment says (the command line is the most specific).
 * 2. `FORCE_COLOR` set and not empty: on, even into a pipe or file, except `0` or `false`, which
 *    turn it off even on a terminal (force-color.org; as Node itself, it overrides `NO_COLOR`, so
 *    that `FORCE_COLOR=1 kubedrift diff | less -R` works for someone with `NO_COLOR` in their profile).
 * 3. `NO_COLOR` set and not empty, whatever its value: off (no-color.org).
 * 4. `TERM=dumb`: off (a terminal that cannot show escape sequences).
 * 5. Otherwise on exactly when the output is a terminal.
 */
export function colorDecision(inputs: ColorInputs): boolean {
  if (inputs.flag === false) return false;
  const force = inputs.env["FORCE_COLOR"] ?? "";
  if (force !== "") return force !== "0" && force.toLowerCase() !== "false";
  if ((inputs.env["NO_COLOR"] ?? "") !== "") return false;
  if (inputs.env["TERM"] === "dumb") return false;
  return inputs.isTTY;
}

/**
 * The one colour decision of a command, made here and passed down to the renderers as a boolean
 * (they colour through `styleText` with `validateStream: false`, so nothing second-guesses it).
 * `flag` is commander's `options.color` (false for `--no-color`); `stream` is where the coloured
 * output goes, stdout unless a command prints it elsewhere (apply shows its plan on stderr).
 */
export function wantsColor(flag?: boolean, stream: { readonly isTTY?: boolean } = process.stdout): boolean {
  return colorDecision({ flag, env: process.env, isTTY: stream.isTTY === true });
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
