import { compare } from "../engine/index.js";
import type { EngineConfig } from "../engine/types.js";
import type { KubeObject, ResourceDrift } from "../model/index.js";
import { ResourceStatuses } from "../model/index.js";
import type { Schema } from "../schema/types.js";
import type { Executor } from "./execute.js";
import { executeChange, mapLimit } from "./execute.js";
import { onlySelector } from "./only.js";
import { changeFor, phaseOf, resourceVersionOf } from "./plan.js";
import type { ApplyResult, ApplySummary, ChangeOutcome, Plan, PlannedChange } from "./types.js";
import { ApplyStatuses, defaultPlanOptions } from "./types.js";

export interface ApplyContext extends Executor {
  /** For re-planning an object that changed since the plan. */
  readonly schema: Schema;
  readonly config: EngineConfig;
  /** Writes in flight at once (default 16). */
  readonly concurrency?: number;
  /** `--only` references: the plan's other changes are skipped. */
  readonly only?: readonly string[];
}

/** An outcome without a write: skipped (nothing to do, not selected) or failed, with why. */
function unapplied(status: typeof ApplyStatuses.skipped | typeof ApplyStatuses.failed) {
  return (change: PlannedChange, message: string, replanned = false): ChangeOutcome => ({
    ref: change.ref,
    action: change.action,
    status,
    message,
    ...(replanned ? { replanned } : {}),
  });
}

const skipped = unapplied(ApplyStatuses.skipped);
const failed = unapplied(ApplyStatuses.failed);

/** The engine's verdict on one desired object against its fresh live state (undefined: it is gone). */
function recompare(
  context: ApplyContext,
  change: Exclude<PlannedChange, { action: "delete" }>,
  current: KubeObject | undefined,
): ResourceDrift {
  const ref = change.desired.ref;
  const report = compare({
    desired: [change.desired],
    live: current === undefined ? [] : [{ ref, object: current }],
    scope: { kinds: [], namespaces: [] },
    schema: context.schema,
    config: context.config,
    cluster: "",
    generatedAt: "",
  });
  return report.resources[0] ?? { ref, status: ResourceStatuses.inSync, drifts: [] };
}

type Replanned = { readonly change: PlannedChange } | { readonly outcome: ChangeOutcome };

function plannedVersion(change: PlannedChange): string | undefined {
  return change.action === "create" ? undefined : change.resourceVersion;
}

/** The object changed since the plan: plan it again against what is there now, never overwrite blindly. */
function replan(
  context: ApplyContext,
  change: Exclude<PlannedChange, { action: "delete" }>,
  current: KubeObject | undefined,
): Replanned {
  const resource = recompare(context, change, current);
  const live = current === undefined ? undefined : { ref: change.desired.ref, object: current };
  const next = changeFor(context.schema, resource, { desired: change.desired, live }, defaultPlanOptions);
  if (next === undefined)
    return { outcome: skipped(change, "changed since the plan, and now in sync", true) };
  if (!("action" in next))
    return { outcome: skipped(change, `changed since the plan: ${next.reason}`, true) };
  return { change: next };
}

function written(
  context: ApplyContext,
  change: PlannedChange,
  before: string | undefined,
  result: { readonly object: KubeObject; readonly forced: readonly string[]; readonly replanned: boolean },
): ChangeOutcome {
  const same = !context.dryRun && before !== undefined && resourceVersionOf(result.object) === before;
  return {
    ref: change.ref,
    action: change.action,
    status: same ? ApplyStatuses.unchanged : ApplyStatuses.applied,
    ...(result.replanned ? { replanned: true } : {}),
    ...(result.forced.length === 0 ? {} : { forced: result.forced }),
  };
}

async function deleteOne(context: ApplyContext, change: PlannedChange): Promise<ChangeOutcome> {
  const { outcome } = await executeChange(context, change);
  if (outcome.ok) return { ref: change.ref, action: change.action, status: ApplyStatuses.applied };
  if (outcome.code === 404) return skipped(change, "already deleted");
  if (outcome.code === 409) return skipped(change, "changed since the plan: not deleted (run plan again)");
  return failed(change, outcome.message);
}

async function writeOne(
  context: ApplyContext,
  planned: Exclude<PlannedChange, { action: "delete" }>,
): Promise<ChangeOutcome> {
  let current: KubeObject | undefined;
  try {
    current = await context.writer.get(
      context.resourceFor(planned.ref) ?? missingResource(planned),
      planned.ref.namespace || undefined,
      planned.ref.name,
    );
  } catch (error: unknown) {
    return failed(planned, error instanceof Error ? error.message : String(error));
  }
  const before = current === undefined ? undefined : resourceVersionOf(current);
  let change: PlannedChange = planned;
  const replanned = before !== plannedVersion(planned);
  if (replanned) {
    const again = replan(context, planned, current);
    if ("outcome" in again) return again.outcome;
    change = again.change;
  }
  const { outcome, forced } = await executeChange(context, change);
  if (!outcome.ok) return failed(change, outcome.message, replanned);
  return written(context, change, before, { object: outcome.object, forced, replanned });
}

function missingResource(change: PlannedChange): never {
  throw new Error(`the cluster does not serve ${change.ref.kind} (${change.ref.group || "core"})`);
}

async function applyOne(context: ApplyContext, change: PlannedChange): Promise<ChangeOutcome> {
  try {
    return change.action === "delete" ? await deleteOne(context, change) : await writeOne(context, change);
  } catch (error: unknown) {
    // One object's failure must not stop the others.
    return failed(change, error instanceof Error ? error.message : String(error));
  }
}

export function summarizeOutcomes(outcomes: readonly ChangeOutcome[]): ApplySummary {
  const count = (status: ChangeOutcome["status"]): number =>
    outcomes.filter((outcome) => outcome.status === status).length;
  return {
    applied: count(ApplyStatuses.applied),
    unchanged: count(ApplyStatuses.unchanged),
    skipped: count(ApplyStatuses.skipped),
    failed: count(ApplyStatuses.failed),
  };
}

/**
 * Applies a plan phase by phase (Namespaces and CRDs created first, deletes last), the changes of
 * one phase concurrently. Each object is checked against its planned resourceVersion first and
 * re-planned if it changed; each failure is an outcome, never an abort.
 */
export async function applyPlan(plan: Plan, context: ApplyContext): Promise<ApplyResult> {
  const selected = onlySelector(context.only ?? []);
  const chosen = plan.changes.filter((change) => selected(change.ref));
  const outcomes: ChangeOutcome[] = plan.changes
    .filter((change) => !selected(change.ref))
    .map((change) => skipped(change, "not selected by --only"));
  const phases = [...new Set(chosen.map(phaseOf))].sort((a, b) => a - b);
  for (const phase of phases) {
    const changes = chosen.filter((change) => phaseOf(change) === phase);
    outcomes.push(
      ...(await mapLimit(changes, context.concurrency ?? 16, (change) => applyOne(context, change))),
    );
  }
  return { dryRun: context.dryRun, outcomes, summary: summarizeOutcomes(outcomes) };
}

/** Exit status of apply: 1 when anything failed. */
export function applyExitCode(result: ApplyResult): number {
  return result.summary.failed > 0 ? 1 : 0;
}
