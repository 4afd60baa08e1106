import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";
import { kubedriftVersion } from "./version.js";
import { registerAdopt } from "./adopt.js";
import { registerApply } from "./apply.js";
import { registerPlan } from "./plan.js";
import { registerDemo } from "./demo.js";
import { registerDiff } from "./diff.js";
import { registerSandbox } from "./sandbox.js";

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

function withOneLineUsageErrors(command: Command, parentPath: string): void {
  const path = parentPath === "" ? command.name() : `${parentPath} ${command.name()}`;
  command.configureOutput({ outputError: (text, write) => write(usageLine(text, path)) });
  for (const subcommand of command.commands) withOneLineUsageErrors(subcommand, path);
}

export function buildProgram(): Command {
  const program = new Command("kubedrift")
    .description("Detect, explain and prevent configuration drift between Git and Kubernetes")
    .version(kubedriftVersion)
    .exitOverride();
  registerDiff(program);
  registerPlan(program);
  registerApply(program);
  registerAdopt(program);
  registerSandbox(program);
  registerDemo(program);
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

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: "user" });
    // Commands that report an outcome (diff: 0 clean, 2 drift) set process.exitCode.
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error: unknown) {
    return report(error);
  }
}
