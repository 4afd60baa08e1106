import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";
import { kubedriftVersion } from "./version.js";
import { registerAdopt } from "./adopt.js";
import { registerApply } from "./apply.js";
import { registerPlan } from "./plan.js";
import { registerDemo } from "./demo.js";
import { registerDiff } from "./diff.js";
import { registerSandbox } from "./sandbox.js";

export function buildProgram(): Command {
  const program = new Command("kubedrift")
    .description("Detect, explain and prevent configuration drift between Git and Kubernetes")
    .version(kubedriftVersion)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerDiff(program);
  registerPlan(program);
  registerApply(program);
  registerAdopt(program);
  registerSandbox(program);
  registerDemo(program);
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
