/**
 * `rbac -o sarif`: the rules and results that report/sarif-log's `checkSarif` turns into a SARIF
 * log (the CLI joins them; guard does not import report). A risky grant is a result on its binding;
 * an unblocked write on the managed object, at its line in the sources.
 */
import type { ObjectRef } from "../../kube/object.js";
import type { SourceLocation } from "../../model/index.js";
import { describeRef } from "../../model/index.js";
import type { ObjectAccess, SubjectAccess } from "./access.js";
import { describeMutation, isUnblockedOutsider } from "./access.js";
import type { RbacAnalysis } from "./analyze.js";
import type { BindingRef } from "./bindings.js";
import { describeSubject, subjectKey } from "./bindings.js";
import type { RiskyGrant, Severity } from "./risky.js";
import { riskChecks } from "./risky.js";
import { describeVia } from "./text.js";

type Level = "error" | "warning" | "note";

export interface RbacSarifRule {
  readonly id: string;
  readonly level: Level;
  readonly summary: string;
  readonly help: string;
  readonly tags: readonly string[];
}

export interface RbacSarifEntry {
  readonly ruleId: string;
  readonly level: Level;
  readonly message: string;
  readonly ref: ObjectRef;
  readonly source?: SourceLocation;
  readonly detail: string;
}

export const unblockedMutationRule = "rbac-unblocked-mutation";

const levelOf: Readonly<Record<Severity, Level>> = { critical: "error", high: "error", medium: "warning" };

export const rbacSarifRules: readonly RbacSarifRule[] = [
  {
    id: unblockedMutationRule,
    level: "error",
    summary:
      "a subject outside the guard's allowed identities can change a managed object and admission lets it through",
    help: "Remove the grant, add the subject to guard.allow if it deploys, or add a guard rule with action: deny for the object.",
    tags: ["security", "rbac", "drift"],
  },
  ...riskChecks.map((check) => ({
    id: check.id,
    level: levelOf[check.severity],
    summary: check.summary,
    help: check.help,
    tags: ["security", "rbac", check.severity],
  })),
];

function bindingRef(binding: BindingRef): ObjectRef {
  return {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: binding.kind,
    namespace: binding.namespace ?? "",
    name: binding.name,
  };
}

function riskyEntry(risky: RiskyGrant): RbacSarifEntry {
  const { binding, role } = risky.grant;
  const via =
    risky.rule === undefined ? `${role.kind} ${role.name}` : describeVia({ binding, role, rule: risky.rule });
  return {
    ruleId: risky.id,
    level: levelOf[risky.severity],
    message: `${risky.subjects.map(describeSubject).join(", ")} through ${via}: ${risky.summary}`,
    ref: bindingRef(risky.grant.binding),
    detail: `${risky.rule?.role ?? ""}#${risky.rule?.index ?? ""}`,
  };
}

function unblockedEntry(object: ObjectAccess, subject: SubjectAccess): RbacSarifEntry {
  const open = subject.accesses.filter((access) => isUnblockedOutsider(subject, access));
  const verbs = open.map((access) => describeMutation(access.mutation));
  const vias = [...new Set(open.flatMap((access) => access.via.map(describeVia)))];
  return {
    ruleId: unblockedMutationRule,
    level: "error",
    message: `${describeSubject(subject.subject)} can change ${describeRef(object.target.ref)} (${verbs.join(", ")}) and admission does not block it: ${vias.join("; ")}`,
    ref: object.target.ref,
    ...(object.target.source === undefined ? {} : { source: object.target.source }),
    detail: subjectKey(subject.subject),
  };
}

export function rbacSarifEntries(analysis: RbacAnalysis): readonly RbacSarifEntry[] {
  const unblocked = analysis.objects.flatMap((object) =>
    object.subjects
      .filter((subject) => subject.accesses.some((access) => isUnblockedOutsider(subject, access)))
      .map((subject) => unblockedEntry(object, subject)),
  );
  return [...unblocked, ...analysis.riskyGrants.map(riskyEntry)];
}
