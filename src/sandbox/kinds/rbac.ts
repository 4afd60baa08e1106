import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import type { KindStrategy } from "./types.js";
import { defineStrategy } from "./define.js";
import { isUnset, stringOr, listField, objectField, objectItems } from "../../kube/defaulting/edit.js";
import { child, goQuote, index, invalid, notSupported, required } from "./validation/field.js";
import { isPathSegmentName } from "./validation/names.js";
import { rbacGroup } from "../../kube/defaulting/rbac.js";
import { jsonEqual } from "../../kube/value/equal.js";

/** pkg/apis/rbac/validation (defaults: src/kube/defaulting/rbac.ts). RBAC names only have to be URL path segments. */

function validateRule(rule: JsonObject, path: string, namespaced: boolean): readonly StatusCause[] {
  const errors: StatusCause[] = [];
  if ((listField(rule, "verbs") ?? []).length === 0)
    errors.push(required(child(path, "verbs"), "verbs must contain at least one value"));
  const urls = listField(rule, "nonResourceURLs") ?? [];
  if (urls.length > 0 && namespaced) {
    errors.push(
      invalid(
        child(path, "nonResourceURLs"),
        { goLiteral: `[]string{${urls.map((url) => goQuote(stringOr(url))).join(", ")}}` },
        "namespaced rules cannot apply to non-resource URLs",
      ),
    );
  }
  if (urls.length === 0 && (listField(rule, "apiGroups") ?? []).length === 0) {
    errors.push(required(child(path, "apiGroups"), "resource rules must supply at least one api group"));
  }
  return errors;
}

function validateRules(namespaced: boolean) {
  return (object: KubeObject): readonly StatusCause[] =>
    objectItems(object, "rules").flatMap((rule, position) =>
      validateRule(rule, index("rules", position), namespaced),
    );
}

function validateSubject(subject: JsonObject, path: string, clusterScoped: boolean): readonly StatusCause[] {
  const kind = subject["kind"];
  const errors: StatusCause[] = isUnset(subject["name"]) ? [required(child(path, "name"))] : [];
  if (kind === "ServiceAccount") {
    if (clusterScoped && isUnset(subject["namespace"])) errors.push(required(child(path, "namespace")));
  } else if (kind !== "User" && kind !== "Group") {
    errors.push(notSupported(child(path, "kind"), kind ?? "", ["ServiceAccount", "User", "Group"]));
  }
  return errors;
}

function validateBinding(roleKinds: readonly string[], clusterScoped: boolean) {
  return (object: KubeObject): readonly StatusCause[] => {
    const roleRef = objectField(object, "roleRef") ?? {};
    const errors: StatusCause[] = [];
    if (!roleKinds.includes(stringOr(roleRef["kind"])))
      errors.push(notSupported("roleRef.kind", roleRef["kind"] ?? "", roleKinds));
    if (isUnset(roleRef["name"])) errors.push(required("roleRef.name"));
    if (roleRef["apiGroup"] !== rbacGroup)
      errors.push(notSupported("roleRef.apiGroup", roleRef["apiGroup"] ?? "", [rbacGroup]));
    const subjects = objectItems(object, "subjects").flatMap((subject, position) =>
      validateSubject(subject, index("subjects", position), clusterScoped),
    );
    return [...errors, ...subjects];
  };
}

function goRoleRef(roleRef: JsonObject): string {
  const text = (field: string): string =>
    goQuote(typeof roleRef[field] === "string" ? String(roleRef[field]) : "");
  return `rbac.RoleRef{APIGroup:${text("apiGroup")}, Kind:${text("kind")}, Name:${text("name")}}`;
}

/** A binding's roleRef cannot change: delete and recreate it instead. */
function validateRoleRefUnchanged(object: KubeObject, old: KubeObject): readonly StatusCause[] {
  if (jsonEqual(object["roleRef"], old["roleRef"])) return [];
  return [
    invalid(
      "roleRef",
      { goLiteral: goRoleRef(objectField(object, "roleRef") ?? {}) },
      "cannot change roleRef",
    ),
  ];
}

const rbacBase = { tracksGeneration: false, hasStatus: false, nameValidator: isPathSegmentName } as const;

export const roleStrategy: KindStrategy = defineStrategy({
  ...rbacBase,
  gvk: { group: rbacGroup, version: "v1", kind: "Role" },
  validateSpec: validateRules(true),
});

export const clusterRoleStrategy: KindStrategy = defineStrategy({
  ...rbacBase,
  gvk: { group: rbacGroup, version: "v1", kind: "ClusterRole" },
  validateSpec: validateRules(false),
});

export const roleBindingStrategy: KindStrategy = defineStrategy({
  ...rbacBase,
  gvk: { group: rbacGroup, version: "v1", kind: "RoleBinding" },
  validateSpec: validateBinding(["Role", "ClusterRole"], false),
  validateUpdate: validateRoleRefUnchanged,
});

export const clusterRoleBindingStrategy: KindStrategy = defineStrategy({
  ...rbacBase,
  gvk: { group: rbacGroup, version: "v1", kind: "ClusterRoleBinding" },
  validateSpec: validateBinding(["ClusterRole"], true),
  validateUpdate: validateRoleRefUnchanged,
});
