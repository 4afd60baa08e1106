import { isJsonObject, textOf, type JsonObject, type KubeObject } from "../../kube/value/json.js";
import { metadataOf } from "../../kube/object.js";
import type { RequestAttributes } from "./attributes.js";
import { ruleAllows, rulesOf, type PolicyRule } from "./rules.js";
import { SystemGroups, serviceAccountUsername, type UserInfo } from "./user.js";

export interface Decision {
  readonly allowed: boolean;
  /** Why, as kube-apiserver's authorizers say it; "" when they say nothing. */
  readonly reason: string;
}

/** The RBAC objects the authorizer reads (the store's, in the sandbox). */
export interface RbacSource {
  readonly clusterRoleBindings: () => readonly KubeObject[];
  readonly roleBindings: (namespace: string) => readonly KubeObject[];
  readonly clusterRole: (name: string) => KubeObject | undefined;
  readonly role: (namespace: string, name: string) => KubeObject | undefined;
}

interface Binding {
  readonly kind: "ClusterRoleBinding" | "RoleBinding";
  readonly object: KubeObject;
  /** "" for a ClusterRoleBinding. */
  readonly namespace: string;
}

function subjectsOf(binding: KubeObject): readonly JsonObject[] {
  const subjects = binding["subjects"];
  return Array.isArray(subjects) ? subjects.filter(isJsonObject) : [];
}

function subjectApplies(user: UserInfo, subject: JsonObject, namespace: string): boolean {
  const name = textOf(subject["name"]);
  switch (subject["kind"]) {
    case "User":
      return user.username === name;
    case "Group":
      return user.groups.includes(name);
    case "ServiceAccount": {
      // A RoleBinding's ServiceAccount subject without a namespace is one of the binding's namespace.
      const subjectNamespace = textOf(subject["namespace"]) || namespace;
      return user.username === serviceAccountUsername(subjectNamespace, name);
    }
    default:
      return false;
  }
}

function describeSubject(subject: JsonObject, namespace: string): string {
  const kind = textOf(subject["kind"]);
  const name = textOf(subject["name"]);
  if (kind !== "ServiceAccount") return `${kind} ${JSON.stringify(name)}`;
  return `${kind} ${JSON.stringify(`${textOf(subject["namespace"]) || namespace}/${name}`)}`;
}

function roleRefOf(binding: KubeObject): { readonly kind: string; readonly name: string } {
  const roleRef = binding["roleRef"];
  return isJsonObject(roleRef)
    ? { kind: textOf(roleRef["kind"]), name: textOf(roleRef["name"]) }
    : { kind: "", name: "" };
}

/** The rules a binding grants, or the `… not found` error RBAC reports for a missing role. */
function referencedRules(source: RbacSource, binding: Binding): readonly PolicyRule[] | string {
  const { kind, name } = roleRefOf(binding.object);
  const role = kind === "Role" ? source.role(binding.namespace, name) : source.clusterRole(name);
  if (role !== undefined) return rulesOf(role);
  return `${kind === "Role" ? "role" : "clusterrole"}.rbac.authorization.k8s.io ${JSON.stringify(name)} not found`;
}

function describeBinding(binding: Binding, subject: JsonObject): string {
  const name = textOf(metadataOf(binding.object)["name"]);
  const { kind, name: roleName } = roleRefOf(binding.object);
  const shown = binding.kind === "RoleBinding" ? `${name}/${binding.namespace}` : name;
  return `${binding.kind} ${JSON.stringify(shown)} of ${kind} ${JSON.stringify(roleName)} to ${describeSubject(subject, binding.namespace)}`;
}

function bindingsFor(source: RbacSource, namespace: string): readonly Binding[] {
  const cluster = source
    .clusterRoleBindings()
    .map((object): Binding => ({ kind: "ClusterRoleBinding", object, namespace: "" }));
  if (namespace === "") return cluster;
  const local = source
    .roleBindings(namespace)
    .map((object): Binding => ({ kind: "RoleBinding", object, namespace }));
  return [...cluster, ...local];
}

/** Go's utilerrors.NewAggregate(...).Error(): one message alone, several in brackets. */
function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? (errors[0] ?? "") : `[${errors.join(", ")}]`;
}

/**
 * kube-apiserver's authorizers as a kubeadm cluster chains them for a user: system:masters is
 * allowed everything first (the privileged-group authorizer), then RBAC visits the
 * ClusterRoleBindings and, for a namespaced request, the RoleBindings of the namespace, and allows
 * on the first rule that matches. RBAC only ever allows: what no rule grants is refused.
 */
export function authorize(source: RbacSource, request: RequestAttributes): Decision {
  if (request.user.groups.includes(SystemGroups.masters)) return { allowed: true, reason: "" };
  const namespace = request.kind === "resource" ? request.namespace : "";
  const errors: string[] = [];
  for (const binding of bindingsFor(source, namespace)) {
    const subject = subjectsOf(binding.object).find((candidate) =>
      subjectApplies(request.user, candidate, binding.namespace),
    );
    if (subject === undefined) continue;
    const rules = referencedRules(source, binding);
    if (typeof rules === "string") errors.push(rules);
    else if (rules.some((rule) => ruleAllows(request, rule)))
      return { allowed: true, reason: `RBAC: allowed by ${describeBinding(binding, subject)}` };
  }
  return { allowed: false, reason: errors.length === 0 ? "" : `RBAC: ${aggregate(errors)}` };
}

export interface UserRules {
  readonly rules: readonly PolicyRule[];
  /** The bindings' missing roles, as RBAC reports them. */
  readonly errors: readonly string[];
}

/** Every rule the user's bindings grant in a namespace ("" for the cluster scope): RBAC's RulesFor. */
export function rulesFor(source: RbacSource, user: UserInfo, namespace: string): UserRules {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  for (const binding of bindingsFor(source, namespace)) {
    const applies = subjectsOf(binding.object).some((subject) =>
      subjectApplies(user, subject, binding.namespace),
    );
    if (!applies) continue;
    const granted = referencedRules(source, binding);
    if (typeof granted === "string") errors.push(granted);
    else rules.push(...granted);
  }
  return { rules, errors };
}
