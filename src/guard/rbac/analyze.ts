/**
 * `kubedrift rbac`'s analysis (issue 15): for each managed object, who may write it and whether the
 * guard stops such a write, and the risky grants in the namespaces the objects live in. Pure: the
 * CLI lists the RBAC objects and reads the sources.
 */
import type { GuardConfig } from "../../engine/index.js";
import type { ManagedTarget, ObjectAccess } from "./access.js";
import { isUnblockedOutsider, objectAccess } from "./access.js";
import type { Grant, RbacObjects } from "./bindings.js";
import { grantsFrom } from "./bindings.js";
import type { RiskyGrant } from "./risky.js";
import { riskyGrants } from "./risky.js";

export interface RbacAnalysis {
  readonly objects: readonly ObjectAccess[];
  /** Those that hold where a managed object is: cluster-wide, or in a managed object's namespace. */
  readonly riskyGrants: readonly RiskyGrant[];
  /** kubedrift.yaml has a `guard:` section. */
  readonly guarded: boolean;
}

function appliesWhereManaged(grant: Grant, namespaces: ReadonlySet<string>): boolean {
  return grant.namespace === undefined || namespaces.has(grant.namespace);
}

export function analyzeRbac(
  targets: readonly ManagedTarget[],
  rbac: RbacObjects,
  guard: GuardConfig | undefined,
): RbacAnalysis {
  const grants = grantsFrom(rbac);
  const namespaces = new Set(
    targets.filter((target) => target.namespaced).map((target) => target.ref.namespace),
  );
  return {
    objects: targets.map((target) => objectAccess(target, grants, guard)),
    riskyGrants: riskyGrants(grants.filter((grant) => appliesWhereManaged(grant, namespaces))),
    guarded: guard !== undefined,
  };
}

/** Exit status 2: someone who is not a deployer can write a managed object and admission lets it through. */
export function hasUnblockedOutsider(analysis: RbacAnalysis): boolean {
  return analysis.objects.some((object) =>
    object.subjects.some((subject) =>
      subject.accesses.some((access) => isUnblockedOutsider(subject, access)),
    ),
  );
}
