import { basename } from "node:path";
import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";
import { registerCompletion } from "./completion.js";
import { kubedriftVersion, registerVersion } from "./version.js";
import { registerAdopt } from "./adopt.js";
import { registerApply } from "./apply.js";
import { registerPlan } from "./plan.js";
import { registerDemo } from "./demo.js";
import { registerDiff } from "./diff.js";
import { registerHistory } from "./history.js";
import { registerSandbox } from "./sandbox.js";
import { registerWatch } from "./watch.js";
import { registerGuard } from "./guard.js";
import { registerRbac } from "./rbac.js";
import { registerLint } from "./lint.js";

/**
 * commander's usage errors as one line, like every other error, with where to read more:
 * `kubedrift: unknown option '--bogus' (did you mean --blame?) (see 'kubedrift diff --help')`.
 */
export function usageLine(text: string, commandPath: string): string {
  const problem = text
    .trim()
    .replace(/^error: /, "")
    .replace(/ argument '' is invalid\. /, " ")
    .replace(/\n\(Did you mean/g, " (did you mean")
    .replace(/\s*\n\s*/g, " ");
  return `kubedrift: ${problem} (see '${commandPath} --help')\n`;
}

/** What bin/kubectl-drift sets, so that help and errors say `kubectl drift` where kubectl ran the plugin. */
export const invokedAsVariable = "KUBEDRIFT_INVOKED_AS";

/**
 * The name to show in usage lines: `kubectl drift` when run as the kubectl plugin (the launcher
 * says so in KUBEDRIFT_INVOKED_AS, as it execs node with dist/cli/main.js, which hides its own
 * name; a script run directly as `kubectl-drift` shows in argv[1]), else `kubedrift`.
 */
export function invokedAs(
  env: Readonly<Record<string, string | undefined>> = process.env,
  argv: readonly string[] = process.argv,
): string {
  const said = env[invokedAsVariable] ?? "";
  const name = said !== "" ? basename(said) : basename(argv[1] ?? "").replace(/\.[cm]?js$/, "");
  return name === "kubectl-drift" || name === "kubectl drift" ? "kubectl drift" : "kubedrift";
}

function withOneLineUsageErrors(command: Command, parentPath: string): void {
  const path = parentPath === "" ? command.name() : `${parentPath} ${command.name()}`;
  command.configureOutput({ outputError: (text, write) => write(usageLine(text, path)) });
  for (const subcommand of command.commands) withOneLineUsageErrors(subcommand, path);
}

export function buildProgram(name: string = invokedAs()): Command {
  const program = new Command(name)
    .description("Detect, explain and prevent configuration drift between Git and Kubernetes")
    .version(kubedriftVersion)
    .exitOverride();
  registerDiff(program);
  registerPlan(program);
  registerApply(program);
  registerAdopt(program);
  registerWatch(program);
  registerGuard(program);
  registerLint(program);
  registerRbac(program);
  registerSandbox(program);
  registerDemo(program);
  registerHistory(program);
  registerVersion(program);
  registerCompletion(program);
  withOneLineUsageErrors(program, "");
  return program;
}

function report(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof CliError) {
    process.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  return 1;
}

/**
 * `kubedrift diff --help | head -1`: the reader closed the pipe, and what was left to write has
 * nobody to read it. As a program killed by SIGPIPE, end quietly (exit 0: the reader got what it
 * wanted) rather than with Node's stack trace for the unhandled EPIPE.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  try {
    await buildProgram().parseAsync([...argv], { from: "user" });
    // Commands that report an outcome (diff: 0 clean, 2 drift) set process.exitCode.
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error: unknown) {
    return report(error);
  }
}
