import { Option, type Command } from "commander";
import { CliError, rethrowAsCliError } from "./errors.js";
import { diffOptionsFromFlags, withDiffOptions, type DiffFlags } from "./diff.js";
import { collect, terminalIO, wantsColor, withAllContextsFlag } from "./terminal.js";
import { traceOf, verbosityOf } from "./verbosity.js";
import type { Inspection } from "../inspect/index.js";
import type { Plan, PlanFormat } from "../remediate/index.js";

export interface PlanFlags extends DiffFlags {
  readonly only?: readonly string[];
  readonly prune?: boolean;
  readonly pruneNamespaces?: boolean;
  readonly pruneCrds?: boolean;
}

export interface PlannedRun {
  readonly inspection: Inspection;
  readonly plan: Plan;
}

/** The terminal's I/O for an inspection, with -v's request lines (and no progress line to tear). */
export function inspectionIO(flags: DiffFlags): ReturnType<typeof terminalIO> {
  const trace = traceOf(flags);
  const io = terminalIO({ color: wantsColor(flags.color), progress: verbosityOf(flags) === 0 });
  return trace === undefined ? io : { ...io, trace };
}

/** Sources → cluster → engine → plan, validated with a server dry run (what plan and apply share). */
export async function planRemediation(flags: PlanFlags, command: string): Promise<PlannedRun> {
  const { inspectDrift } = await import("../inspect/index.js");
  const { buildPlan, defaultWriteRetry, OnlyRefError, parseOnly, unmatchedOnly, validatePlan } =
    await import("../remediate/index.js");
  try {
    for (const reference of flags.only ?? []) parseOnly(reference);
  } catch (error: unknown) {
    if (error instanceof OnlyRefError)
      throw new CliError(`${command}: ${error.message}`, 1, { cause: error });
    throw error;
  }
  const inspection = await inspectDrift(
    diffOptionsFromFlags({ ...flags, output: "text" }),
    inspectionIO(flags),
  ).catch(rethrowAsCliError);
  const writer = inspection.cluster.writer;
  if (writer === undefined)
    throw new CliError(`${command}: --live-file is read-only: give a cluster to write to`);
  const unmatched = unmatchedOnly(
    flags.only ?? [],
    inspection.report.resources.map((resource) => resource.ref),
  );
  if (unmatched.length > 0)
    throw new CliError(
      `${command}: --only ${unmatched.join(", ")}: no such object in the desired state or the cluster`,
    );
  const plan = buildPlan({
    report: inspection.report,
    desired: inspection.desired,
    live: inspection.live,
    schema: inspection.schema,
    options: {
      prune: flags.prune === true,
      pruneNamespaces: flags.pruneNamespaces === true,
      pruneCRDs: flags.pruneCrds === true,
      only: flags.only ?? [],
    },
  });
  const validated = await validatePlan(plan, {
    writer,
    resourceFor: (ref) => inspection.served.get(`${ref.group}/${ref.kind}`),
    retry: defaultWriteRetry,
  });
  return { inspection, plan: validated };
}

export function withPlanOptions(command: Command): Command {
  return withDiffOptions(command)
    .option("--only <ref>", "only this object, as KIND/NAMESPACE/NAME (or KIND/NAME); repeatable", collect)
    .option("--prune", "delete extra objects (never a Namespace or CRD without the flags below)")
    .option("--prune-namespaces", "with --prune, delete extra Namespaces too")
    .option("--prune-crds", "with --prune, delete extra CustomResourceDefinitions too");
}

/**
 * The clusters of a command that checks several at once (`--context` more than once, or
 * `--all-contexts`: plan, lint --live); none when the flags name one cluster.
 */
export async function severalContexts(flags: DiffFlags): Promise<readonly string[]> {
  const options = diffOptionsFromFlags({ ...flags, output: "text" }, "several");
  if (options.clusters === undefined) return [];
  const { chosenContexts } = await import("../inspect/index.js");
  try {
    return chosenContexts(options.clusters, options, inspectionIO(flags));
  } catch (error: unknown) {
    return rethrowAsCliError(error);
  }
}

/**
 * `kubedrift plan`: what apply would write; 0 nothing to do, 2 changes, 1 error. Several clusters
 * are planned at once; their plans print one after another (JSON: a `PlanList` of them), and the
 * exit status is the worst of theirs.
 */
async function runPlan(flags: PlanFlags): Promise<number> {
  const { planExitCode, renderPlan } = await import("../remediate/index.js");
  const { clusterConcurrency, mapLimit, objectsByRef } = await import("../inspect/index.js");
  const format: PlanFormat = flags.output === "json" ? "json" : "text";
  const contexts = await severalContexts(flags);
  const runs =
    contexts.length === 0
      ? [await planRemediation(flags, "plan")]
      : await mapLimit(contexts, clusterConcurrency, (context) =>
          planRemediation({ ...flags, context: [context], allContexts: false }, "plan").catch(
            (error: unknown) => {
              const message = error instanceof Error ? error.message : String(error);
              throw new CliError(`plan: context "${context}": ${message.replace(/^plan: /, "")}`, 1, {
                cause: error,
              });
            },
          ),
        );
  const rendered = runs.map(({ inspection, plan }) =>
    renderPlan(plan, format, {
      redaction: inspection.config,
      color: format === "text" && wantsColor(flags.color),
      objects: objectsByRef(inspection),
    }),
  );
  process.stdout.write(contexts.length === 0 ? (rendered[0] ?? "") : planList(rendered, format, contexts));
  const codes = runs.map(({ plan }) => planExitCode(plan));
  return codes.includes(1) ? 1 : Math.max(...codes);
}

/** Several clusters' plans: the texts, each under its cluster's name; the JSON documents as a `PlanList`. */
function planList(rendered: readonly string[], format: PlanFormat, contexts: readonly string[]): string {
  if (format === "json") {
    const items = rendered.map((text) => JSON.parse(text) as unknown);
    return `${JSON.stringify({ apiVersion: "kubedrift.dev/v1", kind: "PlanList", items }, null, 2)}\n`;
  }
  return rendered.map((text, index) => `Cluster ${contexts[index] ?? ""}:\n${text}`).join("\n");
}

export function registerPlan(program: Command): void {
  withAllContextsFlag(withPlanOptions(program.command("plan")))
    .description(
      "Show what apply would change: server-side-apply bodies of the drifted fields, creates and deletes",
    )
    .addHelpText(
      "after",
      "\nEvery change is validated with a server dry run.\nExit status: 0 nothing to do, 2 changes planned, 1 error (a change the server refuses is an error).",
    )
    .addOption(new Option("-o, --output <format>", "plan format").choices(["text", "json"]).default("text"))
    .action(async (flags: PlanFlags) => {
      process.exitCode = await runPlan(flags);
    });
}
