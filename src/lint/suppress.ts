/**
 * Accepting a finding: per object with the annotation `kubedrift.dev/lint-ignore:
 * "check-a,check-b: why"` (`*` for every check), per project with `lint.ignore` in kubedrift.yaml
 * (checks by id, objects by kind, namespace and name, and a reason).
 */
import { metadataOf } from "../kube/object.js";
import { isJsonObject } from "../kube/value/json.js";
import type { DesiredObject } from "../model/index.js";

export const lintIgnoreAnnotation = "kubedrift.dev/lint-ignore";

export interface ProjectSuppression {
  readonly checks: readonly string[];
  /** `apps/Deployment`, `ConfigMap` (core group); none: every kind. */
  readonly kinds?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly names?: readonly string[];
  readonly reason: string;
}

/** The annotation's checks and reason (`check-a, check-b: reason`); undefined when absent. */
export function annotationSuppression(
  object: DesiredObject,
): { readonly checks: readonly string[]; readonly reason: string } | undefined {
  const annotations = metadataOf(object.object)["annotations"];
  const given = isJsonObject(annotations) ? annotations[lintIgnoreAnnotation] : undefined;
  if (typeof given !== "string" || given.trim() === "") return undefined;
  const colon = given.indexOf(":");
  const list = colon === -1 ? given : given.slice(0, colon);
  const reason = colon === -1 ? "" : given.slice(colon + 1).trim();
  return {
    checks: list
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id !== ""),
    reason: reason === "" ? "no reason given" : reason,
  };
}

/** How kubedrift.yaml names an object's kind: `apps/Deployment`, `ConfigMap` for the core group. */
export function kindName(object: DesiredObject): string {
  return object.ref.group === "" ? object.ref.kind : `${object.ref.group}/${object.ref.kind}`;
}

function matches(rule: ProjectSuppression, object: DesiredObject, check: string): boolean {
  const within = (allowed: readonly string[] | undefined, value: string): boolean =>
    allowed === undefined || allowed.includes(value);
  return (
    (rule.checks.includes(check) || rule.checks.includes("*")) &&
    within(rule.kinds, kindName(object)) &&
    within(rule.namespaces, object.ref.namespace) &&
    within(rule.names, object.ref.name)
  );
}

/** Why `check`'s findings on `object` are accepted (`kubedrift.dev/lint-ignore: …`), or undefined. */
export function suppressionOf(
  object: DesiredObject,
  check: string,
  project: readonly ProjectSuppression[],
): string | undefined {
  const annotated = annotationSuppression(object);
  if (annotated !== undefined && (annotated.checks.includes(check) || annotated.checks.includes("*")))
    return `${lintIgnoreAnnotation}: ${annotated.reason}`;
  const rule = project.find((candidate) => matches(candidate, object, check));
  return rule === undefined ? undefined : `kubedrift.yaml lint.ignore: ${rule.reason}`;
}
