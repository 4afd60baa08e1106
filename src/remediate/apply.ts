import { compare } from "../engine/index.js";
import type { EngineConfig } from "../engine/types.js";
import type { ResourceDrift } from "../model/index.js";
import { ResourceStatuses } from "../model/index.js";
import type { Schema } from "../kube/schema/types.js";
import type { Executed, Executor } from "./execute.js";
import { executeChange, mapLimit } from "./execute.js";
import { onlySelector } from "./only.js";
import { changeFor, isRejected, phaseOf } from "./plan.js";
import type {
  ApplyResult,
  ApplyStatus,
  ApplySummary,
  ChangeOutcome,
  JsonPatchOperation,
  Plan,
  PlannedChange,
} from "./types.js";
import { ApplyStatuses, defaultPlanOptions } from "./types.js";
import type { KubeObject } from "../kube/value/json.js";
import { jsonEqual } from "../kube/value/equal.js";
import type { ObjectRef } from "../kube/object.js";
import { resourceVersionOf } from "../kube/object.js";

export interface ApplyContext extends Executor {
  /** For re-planning an object that changed since the plan. */
  readonly schema: Schema;
  readonly config: EngineConfig;
  /** Writes in flight at once (default 16). */
  readonly concurrency?: number;
  /** `--only` references: the plan's other changes are skipped. */
  readonly only?: readonly string[];
}

type Written = Exclude<PlannedChange, { action: "delete" }>;

/** Reads and writes of one object before it is given up as changing under us. */
const maxRounds = 3;

export const changedSincePlan = "changed since the plan; run again";

function outcomeOf(status: ApplyStatus) {
  return (change: PlannedChange, message?: string, replanned = false): ChangeOutcome => ({
    ref: change.ref,
    action: change.action,
    status,
    ...(message === undefined ? {} : { message }),
    ...(replanned ? { replanned } : {}),
  });
}

const skipped = outcomeOf(ApplyStatuses.skipped);
const stale = outcomeOf(ApplyStatuses.stale);
const failed = outcomeOf(ApplyStatuses.failed);
const confirmed = outcomeOf(ApplyStatuses.applied);

const readBack = "no answer came, but the cluster shows the change";

/** The engine's verdict on one desired object against its fresh live state (undefined: it is gone). */
function recompare(context: ApplyContext, change: Written, current: KubeObject | undefined): ResourceDrift {
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

/** What the plan would say for this object now: undefined in sync, a string when it is left alone. */
function replanAgainst(
  context: ApplyContext,
  change: Written,
  current: KubeObject | undefined,
): PlannedChange | string | undefined {
  const resource = recompare(context, change, current);
  const live = current === undefined ? undefined : { ref: change.desired.ref, object: current };
  const next = changeFor(context.schema, resource, { desired: change.desired, live }, defaultPlanOptions);
  return next === undefined || "action" in next ? next : next.reason;
}

/** The JSON patch a change sends (removals, items put back in place), empty for the others. */
function patchOf(change: PlannedChange): readonly JsonPatchOperation[] {
  return change.action === "apply" ? change.removals : change.action === "remove" ? change.patch : [];
}

/** The fields the JSON patch writes: removed, or put back in an item whose key changed. */
function removalPaths(change: PlannedChange): readonly string[] {
  return patchOf(change).flatMap((operation) => (operation.op === "test" ? [] : [operation.path]));
}

function fieldsOf(change: PlannedChange): readonly string[] {
  return change.action === "apply" ? change.fields : [];
}

/** Whether `next` still has to do any part of `planned`: then `planned` has not taken effect. */
function stillToDo(planned: PlannedChange, next: PlannedChange): boolean {
  if (planned.action === "create") return next.action === "create";
  const removals = new Set(removalPaths(next));
  const fields = new Set(fieldsOf(next));
  return (
    removalPaths(planned).some((path) => removals.has(path)) ||
    fieldsOf(planned).some((field) => fields.has(field))
  );
}

/** The confirmed plan, to the letter: the same writes with the same values (the version aside). */
function samePlan(planned: PlannedChange, next: PlannedChange): boolean {
  if (planned.action !== next.action) return false;
  const body = (change: PlannedChange): KubeObject | undefined =>
    change.action === "apply" || change.action === "create" ? change.body : undefined;
  return jsonEqual(body(planned), body(next)) && jsonEqual([...patchOf(planned)], [...patchOf(next)]);
}

interface Attempt {
  readonly planned: Written;
  /** A write was sent whose effect is not known from its answer. */
  readonly wrote: boolean;
  readonly replanned: boolean;
}

type Step = { readonly write: Written } | { readonly outcome: ChangeOutcome };

/**
 * The object is not as the plan saw it. Write only if its plan now is the confirmed one to the
 * letter: never more than the user said yes to (another writer's label is not removed unasked).
 */
function reconcile(context: ApplyContext, attempt: Attempt, current: KubeObject | undefined): Step {
  const { planned, wrote } = attempt;
  const next = replanAgainst(context, planned, current);
  if (next === undefined)
    return {
      outcome: wrote
        ? confirmed(planned, readBack)
        : skipped(planned, "changed since the plan, and now in sync", true),
    };
  if (typeof next === "string") return { outcome: skipped(planned, `changed since the plan: ${next}`, true) };
  if (wrote && !stillToDo(planned, next)) return { outcome: confirmed(planned, readBack) };
  if (next.action === "delete" || !samePlan(planned, next))
    return { outcome: stale(planned, changedSincePlan, true) };
  return { write: next };
}

function plannedVersion(change: Written): string | undefined {
  return change.action === "create" ? undefined : change.resourceVersion;
}

/** A planned change to a kind the cluster does not serve: that change fails, the others go on. */
export class NotServedError extends Error {
  readonly ref: ObjectRef;

  constructor(ref: ObjectRef) {
    super(`the cluster does not serve ${ref.kind} (${ref.group || "core"})`);
    this.name = "NotServedError";
    this.ref = ref;
  }
}

async function currentObject(context: ApplyContext, change: PlannedChange): Promise<KubeObject | undefined> {
  const resource = context.resourceFor(change.ref);
  if (resource === undefined) throw new NotServedError(change.ref);
  return context.writer.get(resource, change.ref.namespace || undefined, change.ref.name);
}

function written(
  change: PlannedChange,
  before: string | undefined,
  executed: Executed & { readonly replanned: boolean },
): ChangeOutcome {
  const outcome = executed.outcome;
  const same = outcome.ok && before !== undefined && resourceVersionOf(outcome.object) === before;
  return {
    ref: change.ref,
    action: change.action,
    status: same ? ApplyStatuses.unchanged : ApplyStatuses.applied,
    ...(executed.replanned ? { replanned: true } : {}),
    ...(executed.forced.length === 0 ? {} : { forced: executed.forced }),
  };
}

function versionOrNone(object: KubeObject | undefined): string | undefined {
  return object === undefined ? undefined : resourceVersionOf(object);
}

/** What to write this round given the object as read: the confirmed change, or the same one re-planned. */
function toWrite(context: ApplyContext, attempt: Attempt, current: KubeObject | undefined): Step {
  if (!attempt.wrote && versionOrNone(current) === plannedVersion(attempt.planned))
    return { write: attempt.planned };
  return reconcile(context, attempt, current);
}

/**
 * What the dry run said only `force` takes over, for the confirmed change written as planned: sent
 * with the planned resourceVersion, it lands only on the object the dry run judged (versions never
 * go back), so the conflicts are the same ones. Not for a change planned again, nor after removals
 * (the dry run judged the apply against the object before them).
 */
function knownTakeOver(attempt: Attempt, change: Written): readonly string[] {
  if (change !== attempt.planned || attempt.wrote || change.action !== "apply") return [];
  if (change.removals.length > 0 || change.verdict?.ok !== true) return [];
  return change.verdict.takesOver;
}

interface Round {
  readonly outcome?: ChangeOutcome;
  readonly next: Attempt;
}

/** One round: read, decide, write with the read version as a precondition. */
async function writeRound(context: ApplyContext, attempt: Attempt): Promise<Round> {
  const current = await currentObject(context, attempt.planned);
  const before = versionOrNone(current);
  const step = toWrite(context, attempt, current);
  if ("outcome" in step) return { outcome: step.outcome, next: attempt };
  const change = step.write;
  const replanned = attempt.replanned || change !== attempt.planned;
  const executed = await executeChange(
    { ...context, preconditions: true, takeOver: knownTakeOver(attempt, change) },
    change,
  );
  if (executed.outcome.ok) {
    const unchangedSince = context.dryRun ? undefined : before;
    return { outcome: written(change, unchangedSince, { ...executed, replanned }), next: attempt };
  }
  const next: Attempt = { ...attempt, replanned, wrote: attempt.wrote || executed.uncertain };
  // The answer is not the last word: read back what the cluster shows before calling it a failure.
  const after = context.dryRun ? current : await currentObject(context, change);
  if (versionOrNone(after) !== before) return { next };
  return { outcome: failed(change, executed.outcome.message, replanned), next };
}

/**
 * Writes one create or update as confirmed. The object is read first; if it moved on since the
 * plan it is planned again and written only when that plan is the same. A write refused because the
 * object moved in between (the version precondition), or whose answer was lost, is decided by
 * reading the object back.
 */
async function writeOne(context: ApplyContext, planned: Written): Promise<ChangeOutcome> {
  let attempt: Attempt = { planned, wrote: false, replanned: false };
  for (let round = 0; round < maxRounds; round += 1) {
    const { outcome, next } = await writeRound(context, attempt);
    if (outcome !== undefined) return outcome;
    attempt = next;
  }
  const current = await currentObject(context, planned);
  const step = reconcile(context, attempt, current);
  return "outcome" in step && step.outcome.status === ApplyStatuses.applied
    ? step.outcome
    : stale(planned, `${changedSincePlan} (it kept changing while it was written)`, true);
}

async function deleteOne(context: ApplyContext, change: PlannedChange): Promise<ChangeOutcome> {
  const { outcome, uncertain } = await executeChange(context, change);
  if (outcome.ok) return confirmed(change);
  if (outcome.code === 404)
    return uncertain ? confirmed(change, readBack) : skipped(change, "already deleted");
  if (outcome.code === 409) return stale(change, changedSincePlan);
  if (!context.dryRun && (await currentObject(context, change)) === undefined)
    return confirmed(change, readBack);
  return failed(change, outcome.message);
}

async function applyOne(context: ApplyContext, change: PlannedChange): Promise<ChangeOutcome> {
  if (isRejected(change)) {
    return outcomeOf(ApplyStatuses.rejected)(
      change,
      `rejected by the server's dry run (${change.verdict.code}): ${change.verdict.message}`,
    );
  }
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
    stale: count(ApplyStatuses.stale),
    rejected: count(ApplyStatuses.rejected),
    failed: count(ApplyStatuses.failed),
  };
}

/**
 * Applies a plan phase by phase (Namespaces and CRDs created first, deletes last), the changes of
 * one phase concurrently. Each object is checked against its planned resourceVersion first and
 * written only as confirmed; each failure is an outcome, never an abort.
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

/** Exit status of apply: 1 when anything the plan held was not done (failed, rejected, changed since). */
export function applyExitCode(result: ApplyResult): number {
  const { failed: failures, rejected, stale: changed } = result.summary;
  return failures + rejected + changed > 0 ? 1 : 0;
}
