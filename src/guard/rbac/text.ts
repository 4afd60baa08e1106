/** `rbac -o text`: a table per managed object, then the risky grants, then one summary line. */
import { describeRef } from "../../model/index.js";
import type { Access, GuardVerdict, ObjectAccess, SubjectAccess, Via } from "./access.js";
import { describeMutation, isUnblockedOutsider } from "./access.js";
import type { RbacAnalysis } from "./analyze.js";
import type { BindingRef, Subject } from "./bindings.js";
import { subjectKey } from "./bindings.js";
import type { RiskyGrant } from "./risky.js";

function table(rows: readonly (readonly string[])[], indent: string): readonly string[] {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? "").length)),
  );
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join("  "),
  );
}

function subjectName(subject: Subject): string {
  return subject.kind === "ServiceAccount" ? `${subject.namespace ?? ""}/${subject.name}` : subject.name;
}

function describeBinding(binding: BindingRef): string {
  return `${binding.kind} ${binding.namespace === undefined ? "" : `${binding.namespace}/`}${binding.name}`;
}

/** `RoleBinding shop/ci → ClusterRole edit (rule 5 of system:aggregate-to-edit)`: an aggregated rule names its role. */
export function describeVia(via: Via): string {
  const rule =
    via.rule.role === via.role.name ? `rule ${via.rule.index}` : `rule ${via.rule.index} of ${via.rule.role}`;
  return `${describeBinding(via.binding)} → ${via.role.kind} ${via.role.name} (${rule})`;
}

/** update and patch of the scale subresource read as one `scale` when both are allowed. */
function verbsOf(accesses: readonly Access[]): string {
  const names = accesses.map((access) => describeMutation(access.mutation));
  const both = names.includes("update scale") && names.includes("patch scale");
  const shown = both ? [...names.filter((name) => !name.endsWith(" scale")), "scale"] : names;
  return shown.join(", ");
}

const verdictText: Readonly<Record<GuardVerdict, string>> = {
  blocked: "blocked",
  deployer: "passes (allowed identity)",
  warn: "NOT blocked (warn)",
  audit: "NOT blocked (audit)",
  unguarded: "NOT blocked (no guard)",
};

function guardOf(accesses: readonly Access[]): string {
  const verdicts = [...new Set(accesses.map((access) => access.guard))];
  if (verdicts.length === 1) return verdictText[verdicts[0] ?? "unguarded"];
  return verdicts
    .map((verdict) => {
      const verbs = accesses.filter((access) => access.guard === verdict);
      return `${verdictText[verdict]}: ${verbsOf(verbs)}`;
    })
    .join("; ");
}

function subjectRow(subject: SubjectAccess): readonly string[] {
  const vias = [...new Set(subject.accesses.flatMap((access) => access.via.map(describeVia)))];
  return [
    subjectName(subject.subject),
    subject.subject.kind,
    verbsOf(subject.accesses),
    vias.join("; "),
    guardOf(subject.accesses),
  ];
}

function unblockedCount(object: ObjectAccess): number {
  return object.subjects.filter((subject) =>
    subject.accesses.some((access) => isUnblockedOutsider(subject, access)),
  ).length;
}

function objectSection(object: ObjectAccess): readonly string[] {
  const { ref, source } = object.target;
  const where = source === undefined ? "" : ` (${source.file}:${source.line})`;
  const heading = `${describeRef(ref)}${where}`;
  if (object.subjects.length === 0)
    return [heading, "  no subject can update, patch, delete or scale it", ""];
  const unblocked = unblockedCount(object);
  return [
    heading,
    ...table([["SUBJECT", "KIND", "VERBS", "VIA", "GUARD"], ...object.subjects.map(subjectRow)], "  "),
    ...(unblocked === 0 ? [] : [`  ${unblocked} outside the allowed identities can make it drift unblocked`]),
    "",
  ];
}

function riskyRow(risky: RiskyGrant): readonly string[] {
  const { binding, role } = risky.grant;
  const via =
    risky.rule === undefined
      ? `${describeBinding(binding)} → ${role.kind} ${role.name}`
      : describeVia({ binding, role, rule: risky.rule });
  return [
    risky.severity,
    risky.id,
    risky.subjects.map((subject) => `${subject.kind} ${subjectName(subject)}`).join(", "),
    via,
    risky.summary,
  ];
}

function summaryLine(analysis: RbacAnalysis): string {
  const exposed = analysis.objects.filter((object) => unblockedCount(object) > 0);
  const outsiders = new Set(
    exposed.flatMap((object) =>
      object.subjects
        .filter((subject) => subject.accesses.some((access) => isUnblockedOutsider(subject, access)))
        .map((subject) => subjectKey(subject.subject)),
    ),
  );
  const guard = analysis.guarded ? "" : " (kubedrift.yaml has no guard: section: nothing is blocked)";
  return `${analysis.objects.length} managed objects: ${exposed.length} can be made to drift unblocked by ${outsiders.size} subjects outside the allowed identities${guard}; ${analysis.riskyGrants.length} risky grants`;
}

export function renderRbacText(analysis: RbacAnalysis): string {
  const risky =
    analysis.riskyGrants.length === 0
      ? []
      : [
          "Risky grants where the managed objects are",
          ...table(
            [["SEVERITY", "ID", "SUBJECTS", "VIA", "WHY"], ...analysis.riskyGrants.map(riskyRow)],
            "  ",
          ),
          "",
        ];
  return [...analysis.objects.flatMap(objectSection), ...risky, summaryLine(analysis), ""].join("\n");
}
