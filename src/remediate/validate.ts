import type { Executor } from "./execute.js";
import { executeChange, mapLimit } from "./execute.js";
import type { DryRunVerdict, Plan, PlannedChange } from "./types.js";

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

async function verdictOf(
  executor: Executor,
  change: PlannedChange,
  created: ReadonlySet<string>,
): Promise<DryRunVerdict> {
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
