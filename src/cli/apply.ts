import type { Command } from "commander";
import { planRemediation, withPlanOptions, type PlanFlags } from "./plan.js";
import { wantsColor } from "./terminal.js";

interface ApplyFlags extends PlanFlags {
  readonly yes?: boolean;
  readonly dryRun?: boolean;
}

/** `kubedrift apply`: the plan, shown and confirmed, then written; 0 done, 1 anything failed. */
async function runApply(flags: ApplyFlags): Promise<number> {
  const { applyExitCode, applyPlan, defaultWriteRetry, rejectedChanges, renderApplyResult, renderPlan } =
    await import("../remediate/index.js");
  const format = flags.output === "json" ? "json" : "text";
  const { objectsByRef } = await import("../inspect/index.js");
  const { inspection, plan } = await planRemediation(flags, "apply");
  const objects = objectsByRef(inspection);
  if (plan.changes.length === 0) {
    const color = wantsColor(flags.color);
    process.stdout.write(renderPlan(plan, "text", { redaction: inspection.config, color, objects }));
    return 0;
  }
  // The server refused these in the dry run: they are reported, never tried, and fail the run.
  const rejected = rejectedChanges(plan).length;
  const writable = plan.changes.length - rejected;
  if (flags.dryRun !== true) {
    // The plan to confirm goes to stderr: coloured if stderr is a terminal.
    const color = wantsColor(flags.color, process.stderr);
    process.stderr.write(renderPlan(plan, "text", { redaction: inspection.config, color, objects }));
    const { confirm } = await import("./confirm.js");
    const question =
      rejected === 0
        ? `Apply ${writable} changes?`
        : `Apply ${writable} changes (${rejected} the server rejects are left out)?`;
    if (writable > 0 && !(await confirm(question, { yes: flags.yes === true, command: "apply" }))) {
      process.stderr.write("apply: nothing written\n");
      return 1;
    }
  }
  const writer = inspection.cluster.writer;
  if (writer === undefined) return 1;
  const result = await applyPlan(plan, {
    writer,
    resourceFor: (ref) => inspection.served.get(`${ref.group}/${ref.kind}`),
    retry: defaultWriteRetry,
    dryRun: flags.dryRun === true,
    schema: inspection.schema,
    config: inspection.config,
  });
  const color = format === "text" && wantsColor(flags.color);
  process.stdout.write(renderApplyResult(result, format, { redaction: inspection.config, plan, color }));
  return applyExitCode(result);
}

export function registerApply(program: Command): void {
  withPlanOptions(program.command("apply"))
    .description("Put the cluster back to the desired state with server-side apply (field manager kubedrift)")
    .option("-y, --yes", "apply without asking")
    .option("--dry-run", "only the server dry run: nothing is stored")
    .addHelpText(
      "after",
      "\nOnly drifted fields are taken over from other field managers; a conflict on any other field is reported.\nNothing beyond the confirmed plan is written: an object whose plan changed since is left alone (run again).\nExit status: 0 applied (or nothing to do), 1 anything failed, was rejected, changed since the plan, or was not confirmed.",
    )
    .action(async (flags: ApplyFlags) => {
      process.exitCode = await runApply(flags);
    });
}
