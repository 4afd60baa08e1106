import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { CliError, rethrowAsCliError } from "./errors.js";
import { diffOptionsFromFlags, withDiffOptions, type DiffFlags } from "./diff.js";
import { collect, wantsColor } from "./terminal.js";
import { inspectionIO } from "./plan.js";
import type { AdoptPlan } from "../remediate/adopt/index.js";

interface AdoptFlags extends DiffFlags {
  readonly only?: readonly string[];
  readonly yes?: boolean;
}

async function writeConfirmed(plan: AdoptPlan, yes: boolean): Promise<number> {
  const { describeWriteOutcome, writeAdoption } = await import("../remediate/adopt/index.js");
  const files = plan.edits.length === 1 ? "this file" : `these ${plan.edits.length} files`;
  const { confirm } = await import("./confirm.js");
  if (!(await confirm(`Write ${files}?`, { yes, command: "adopt" }))) {
    process.stderr.write("adopt: nothing written\n");
    return 1;
  }
  // All files or none: the report names each file's state and, on failure, the cause.
  const report = describeWriteOutcome(writeAdoption(plan));
  process.stdout.write(report.stdout);
  process.stderr.write(report.stderr);
  return report.exitCode;
}

/** `kubedrift adopt`: the live values of drifted fields written into the files that declare them. */
async function runAdopt(flags: AdoptFlags): Promise<number> {
  if (flags.gitRef !== undefined) {
    throw new CliError(
      "adopt: --git-ref reads the sources from a temporary checkout; adopt writes into the working tree, so run it without --git-ref",
    );
  }
  const { inspectDrift } = await import("../inspect/index.js");
  const { planAdoption, renderAdoption } = await import("../remediate/adopt/index.js");
  const { OnlyRefError, parseOnly } = await import("../remediate/index.js");
  try {
    for (const reference of flags.only ?? []) parseOnly(reference);
  } catch (error: unknown) {
    if (error instanceof OnlyRefError) throw new CliError(`adopt: ${error.message}`, 1, { cause: error });
    throw error;
  }
  const options = diffOptionsFromFlags({ ...flags, output: "text" });
  const color = wantsColor(flags.color);
  const inspection = await inspectDrift(options, inspectionIO(flags)).catch(rethrowAsCliError);
  const plan = planAdoption(
    {
      report: inspection.report,
      desired: inspection.desired,
      live: inspection.live,
      cwd: process.cwd(),
      kustomizations: options.kustomize,
      ...(flags.only === undefined ? {} : { only: flags.only }),
    },
    (path) => readFileSync(path, "utf8"),
  );
  const redaction = { config: inspection.config, objects: [...inspection.desired, ...inspection.live] };
  process.stdout.write(renderAdoption(plan, { color, redaction }));
  return plan.edits.length === 0 ? 0 : writeConfirmed(plan, flags.yes === true);
}

export function registerAdopt(program: Command): void {
  withDiffOptions(program.command("adopt"))
    .description(
      "Accept drift: write the live values of drifted fields into the source files that declare them",
    )
    .option("--only <ref>", "only this object, as KIND/NAMESPACE/NAME (or KIND/NAME); repeatable", collect)
    .option("-y, --yes", "write without asking")
    .addHelpText(
      "after",
      `
The files keep their comments, key order, quoting and indentation: only the adopted values change.
Secret values are never written into files; Helm releases and Terraform expressions are listed as
not adoptable, with the reason.

Exit status: 0 adopted (or nothing to adopt), 1 error or not confirmed.`,
    )
    .action(async (flags: AdoptFlags) => {
      process.exitCode = await runAdopt(flags);
    });
}
