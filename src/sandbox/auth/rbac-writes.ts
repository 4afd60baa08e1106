import { isJsonObject, textOf, type JsonObject, type KubeObject } from "../../kube/value/json.js";
import { jsonEqual } from "../../kube/value/equal.js";
import { metadataOf } from "../../kube/object.js";
import { ApiError, StatusReasons, notFound } from "../api/status.js";
import type { RequestAttributes } from "./attributes.js";
import { describeMissing, goQuotedList, uncovered } from "./escalation.js";
import type { SandboxAuth } from "./index.js";
import { rulesOf, type PolicyRule } from "./rules.js";
import { SystemGroups, type UserInfo } from "./user.js";

const rbacGroup = "rbac.authorization.k8s.io";

/** The RBAC write being checked. */
export interface RbacWrite {
  readonly user: UserInfo;
  /** roles, clusterroles, rolebindings or clusterrolebindings. */
  readonly resource: string;
  /** "" for the cluster-scoped kinds. */
  readonly namespace: string;
  readonly object: KubeObject;
  readonly old: KubeObject | undefined;
}

function forbiddenWrite(write: RbacWrite, cause: string): ApiError {
  const name = textOf(metadataOf(write.object)["name"]);
  return new ApiError(
    403,
    StatusReasons.forbidden,
    `${write.resource}.${rbacGroup} ${JSON.stringify(name)} is forbidden: ${cause}`,
    { name, group: rbacGroup, kind: write.resource },
  );
}

function allowedTo(
  auth: SandboxAuth,
  write: RbacWrite,
  attributes: Omit<
    RequestAttributes & { kind: "resource" },
    "kind" | "user" | "apiGroup" | "apiVersion" | "subresource"
  >,
): boolean {
  return auth.authorize({
    kind: "resource",
    user: write.user,
    apiGroup: rbacGroup,
    apiVersion: "v1",
    subresource: "",
    ...attributes,
  }).allowed;
}

/** ConfirmNoEscalation: the writer must already hold every permission the rules grant, where they grant it. */
function confirmNoEscalation(auth: SandboxAuth, write: RbacWrite, rules: readonly PolicyRule[]): void {
  const owner = auth.rulesFor(write.user, write.namespace);
  const missing = uncovered(owner.rules, rules);
  if (missing.length === 0) return;
  const errors = owner.errors.length === 0 ? "" : `; resolution errors: [${owner.errors.join(" ")}]`;
  throw forbiddenWrite(
    write,
    `user ${JSON.stringify(write.user.username)} (groups=${goQuotedList(write.user.groups)}) is attempting to grant RBAC permissions not currently held:\n${describeMissing(missing)}${errors}`,
  );
}

function aggregationRuleOf(object: KubeObject | undefined): JsonObject | undefined {
  const rule = object?.["aggregationRule"];
  return isJsonObject(rule) ? rule : undefined;
}

function checkRole(auth: SandboxAuth, write: RbacWrite): void {
  const name = write.old === undefined ? "" : textOf(metadataOf(write.object)["name"]);
  if (
    allowedTo(auth, write, { verb: "escalate", resource: write.resource, namespace: write.namespace, name })
  )
    return;
  const aggregation = aggregationRuleOf(write.object);
  if (aggregation !== undefined && !jsonEqual(aggregation, aggregationRuleOf(write.old)))
    throw forbiddenWrite(write, "must have cluster-admin privileges to use the aggregationRule");
  confirmNoEscalation(auth, write, rulesOf(write.object));
}

function roleRefOf(binding: KubeObject): { readonly kind: string; readonly name: string } {
  const roleRef = binding["roleRef"];
  return isJsonObject(roleRef)
    ? { kind: textOf(roleRef["kind"]), name: textOf(roleRef["name"]) }
    : { kind: "", name: "" };
}

function checkBinding(
  auth: SandboxAuth,
  write: RbacWrite,
  roleOf: (kind: string, name: string) => KubeObject | undefined,
): void {
  const { kind, name } = roleRefOf(write.object);
  const resource = kind === "Role" ? "roles" : "clusterroles";
  if (allowedTo(auth, write, { verb: "bind", resource, namespace: write.namespace, name })) return;
  const role = roleOf(kind, name);
  if (role === undefined) throw notFound({ group: rbacGroup, resource }, name);
  confirmNoEscalation(auth, write, rulesOf(role));
}

/** What an update changes beyond metadata; an update changing none of it grants nothing new. */
function content(object: KubeObject): KubeObject {
  const { metadata: _metadata, ...rest } = object;
  return rest;
}

/**
 * kube-apiserver's RBAC storage refuses a Role, ClusterRole or binding that would give someone more
 * than its writer holds (privilege escalation), unless the writer is in system:masters or may
 * `escalate` the roles or `bind` the role referred to.
 */
export function checkRbacWrite(
  auth: SandboxAuth,
  write: RbacWrite,
  roleOf: (kind: string, namespace: string, name: string) => KubeObject | undefined,
): void {
  if (write.user.groups.includes(SystemGroups.masters)) return;
  if (write.old !== undefined && jsonEqual(content(write.object), content(write.old))) return;
  if (write.resource === "roles" || write.resource === "clusterroles") checkRole(auth, write);
  else checkBinding(auth, write, (kind, name) => roleOf(kind, write.namespace, name));
}
