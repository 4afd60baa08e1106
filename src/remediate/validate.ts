import type { Executor } from "./execute.js";
import { executeChange, fieldManager, mapLimit, withRetries } from "./execute.js";
import { isCoveredBy } from "./sparse.js";
import { takenOver } from "./takeover.js";
import type { ApplyChange, DryRunVerdict, Plan, PlannedChange } from "./types.js";
import { resourceVersionOf } from "../kube/object.js";

export type ValidateContext = Omit<Executor, "dryRun"> & { readonly concurrency?: number };

/** A dry run cannot see a Namespace the same plan creates: what goes into it is judged once it exists. */
function namespacesCreated(plan: Plan): ReadonlySet<string> {
  return new Set(
    plan.changes
      .filter(
        (change) => change.action === "create" && change.ref.group === "" && change.ref.kind === "Namespace",
      )
      .map((change) => change.ref.name),
  );
}

/**
 * One dry run instead of two for a drifted object (where the other way sends it without `force`,
 * is refused for the conflicts, and sends it again with `force`): applied with `force` at once, and
 * what it took over read off the answer's managedFields. Undefined, to ask the server the usual
 * way, unless the answer is about the object as listed and every field taken over drifted: a
 * conflict on any other field is then reported by the server's own refusal.
 */
async function forcedVerdict(executor: Executor, change: ApplyChange): Promise<DryRunVerdict | undefined> {
  const resource = executor.resourceFor(change.ref);
  const live = change.live;
  if (resource === undefined || live === undefined || change.removals.length > 0) return undefined;
  const options = { fieldManager, dryRun: true, force: true };
  const { outcome } = await withRetries(executor.retry, () =>
    executor.writer.apply(resource, change.body, options),
  );
  if (!outcome.ok || resourceVersionOf(outcome.object) !== change.resourceVersion) return undefined;
  const taken = takenOver(live, outcome.object, fieldManager);
  if (taken === undefined || !taken.every((field) => isCoveredBy(field, change.fields))) return undefined;
  return { ok: true, takesOver: taken };
}

async function verdictOf(
  executor: Executor,
  change: PlannedChange,
  created: ReadonlySet<string>,
): Promise<DryRunVerdict> {
  const quick = change.action === "apply" ? await forcedVerdict(executor, change) : undefined;
  if (quick !== undefined) return quick;
  const { outcome, forced } = await executeChange(executor, change);
  if (!outcome.ok && outcome.code === 404 && created.has(change.ref.namespace)) {
    return {
      ok: true,
      takesOver: [],
      note: `not validated: namespace ${change.ref.namespace} is created first`,
    };
  }
  return outcome.ok
    ? { ok: true, takesOver: forced }
    : { ok: false, code: outcome.code, message: outcome.message };
}

/**
 * Every change tried with `dryRun=All`: admitted, validated and defaulted by the server, not stored.
 * A change the server would refuse is marked with its message, so `plan` never shows a change
 * that `apply` cannot make.
 */
export async function validatePlan(plan: Plan, context: ValidateContext): Promise<Plan> {
  const executor: Executor = { ...context, dryRun: true };
  const created = namespacesCreated(plan);
  const verdicts = await mapLimit(plan.changes, context.concurrency ?? 16, (change) =>
    verdictOf(executor, change, created),
  );
  return {
    ...plan,
    changes: plan.changes.map((change, index) => {
      const verdict = verdicts[index];
      return verdict === undefined ? change : { ...change, verdict };
    }),
    validated: true,
  };
}
