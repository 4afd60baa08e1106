import type { JsonObject, KubeObject } from "../value/json.js";
import { ensureObject, isUnset, updateItems, withField } from "./edit.js";

/** pkg/apis/rbac/v1/defaults.go. */

export const rbacGroup = "rbac.authorization.k8s.io";

/** SetDefaults_Subject: users and groups live in the RBAC group, service accounts in core. */
function defaultSubject(subject: JsonObject): JsonObject {
  if (!isUnset(subject["apiGroup"])) return subject;
  if (subject["kind"] === "ServiceAccount") return withField(subject, "apiGroup", "");
  if (subject["kind"] === "User" || subject["kind"] === "Group")
    return withField(subject, "apiGroup", rbacGroup);
  return subject;
}

export function defaultBinding(object: KubeObject): KubeObject {
  const withRoleRef = ensureObject(object, "roleRef", (roleRef) =>
    isUnset(roleRef["apiGroup"]) ? withField(roleRef, "apiGroup", rbacGroup) : roleRef,
  );
  return updateItems(withRoleRef, "subjects", defaultSubject);
}
