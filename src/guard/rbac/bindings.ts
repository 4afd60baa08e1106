/**
 * Who holds which rules where: RoleBindings and ClusterRoleBindings resolved to their subjects and
 * their role's rules, as kube-apiserver's RBAC authorizer walks them. A ClusterRoleBinding grants
 * its ClusterRole everywhere; a RoleBinding grants its Role, or a ClusterRole it references, in the
 * binding's namespace only.
 */
import { metadataOf } from "../../kube/object.js";
import type { KubeObject } from "../../kube/value/json.js";
import { asList, isJsonObject, stringOf } from "../../kube/value/json.js";
import type { PolicyRule } from "./rules.js";
import { policyRulesOf, resolvedClusterRoles } from "./rules.js";

/** The RBAC objects as listed from the cluster. */
export interface RbacObjects {
  readonly roles: readonly KubeObject[];
  readonly clusterRoles: readonly KubeObject[];
  readonly roleBindings: readonly KubeObject[];
  readonly clusterRoleBindings: readonly KubeObject[];
}

export const SubjectKinds = ["User", "Group", "ServiceAccount"] as const;
export type SubjectKind = (typeof SubjectKinds)[number];

export interface Subject {
  readonly kind: SubjectKind;
  readonly name: string;
  /** A ServiceAccount's namespace. */
  readonly namespace?: string;
}

export interface BindingRef {
  readonly kind: "RoleBinding" | "ClusterRoleBinding";
  readonly name: string;
  /** A RoleBinding's namespace. */
  readonly namespace?: string;
}

export interface RoleRef {
  readonly kind: "Role" | "ClusterRole";
  readonly name: string;
}

/** A binding's role held by one subject: its rules, where they apply. */
export interface Grant {
  readonly subject: Subject;
  readonly binding: BindingRef;
  readonly role: RoleRef;
  readonly rules: readonly PolicyRule[];
  /** The namespace the rules apply in; undefined: every namespace and the cluster-scoped resources. */
  readonly namespace?: string;
}

export const serviceAccountPrefix = "system:serviceaccount:";

/** The username a subject authenticates as (a ServiceAccount's `system:serviceaccount:NS:NAME`). */
export function usernameOf(subject: Subject): string {
  return subject.kind === "ServiceAccount"
    ? `${serviceAccountPrefix}${subject.namespace ?? ""}:${subject.name}`
    : subject.name;
}

/** `User alice`, `Group team`, `ServiceAccount shop/deployer`. */
export function describeSubject(subject: Subject): string {
  const name =
    subject.kind === "ServiceAccount" ? `${subject.namespace ?? ""}/${subject.name}` : subject.name;
  return `${subject.kind} ${name}`;
}

export function subjectKey(subject: Subject): string {
  return `${subject.kind}\u0000${subject.namespace ?? ""}\u0000${subject.name}`;
}

/**
 * A binding's subjects. A ServiceAccount subject without a namespace is in the binding's, as the
 * authorizer reads it; a kind it does not know grants nothing.
 */
function subjectsOf(binding: KubeObject, namespace: string | undefined): readonly Subject[] {
  return (asList(binding["subjects"]) ?? []).filter(isJsonObject).flatMap((item): readonly Subject[] => {
    const kind = stringOf(item["kind"]);
    const name = stringOf(item["name"]);
    if (name === "" || !(SubjectKinds as readonly string[]).includes(kind)) return [];
    if (kind !== "ServiceAccount") return [{ kind: kind as SubjectKind, name }];
    return [{ kind: "ServiceAccount", name, namespace: stringOf(item["namespace"]) || (namespace ?? "") }];
  });
}

function nameOf(object: KubeObject): string {
  return stringOf(metadataOf(object)["name"]);
}

function namespaceOf(object: KubeObject): string {
  return stringOf(metadataOf(object)["namespace"]);
}

interface RoleIndex {
  readonly clusterRoles: ReadonlyMap<string, readonly PolicyRule[]>;
  /** By `namespace/name`. */
  readonly roles: ReadonlyMap<string, readonly PolicyRule[]>;
}

function roleIndex(objects: RbacObjects): RoleIndex {
  return {
    clusterRoles: resolvedClusterRoles(objects.clusterRoles),
    roles: new Map(
      objects.roles.map((role) => [
        `${namespaceOf(role)}/${nameOf(role)}`,
        policyRulesOf(role, nameOf(role)),
      ]),
    ),
  };
}

/** A roleRef that names no existing role grants nothing (kube-apiserver allows such bindings). */
function roleOf(
  binding: KubeObject,
  index: RoleIndex,
  namespace: string | undefined,
): { readonly role: RoleRef; readonly rules: readonly PolicyRule[] } | undefined {
  const roleRef = isJsonObject(binding["roleRef"]) ? binding["roleRef"] : {};
  const kind = stringOf(roleRef["kind"]);
  const name = stringOf(roleRef["name"]);
  if (kind === "ClusterRole") return { role: { kind, name }, rules: index.clusterRoles.get(name) ?? [] };
  // A ClusterRoleBinding to a Role is refused by the API server; a Role is the binding namespace's.
  if (kind === "Role" && namespace !== undefined)
    return { role: { kind, name }, rules: index.roles.get(`${namespace}/${name}`) ?? [] };
  return undefined;
}

function grantsOf(binding: KubeObject, kind: BindingRef["kind"], index: RoleIndex): readonly Grant[] {
  const namespace = kind === "RoleBinding" ? namespaceOf(binding) : undefined;
  const role = roleOf(binding, index, namespace);
  if (role === undefined || role.rules.length === 0) return [];
  const bindingRef: BindingRef = {
    kind,
    name: nameOf(binding),
    ...(namespace === undefined ? {} : { namespace }),
  };
  return subjectsOf(binding, namespace).map((subject) => ({
    subject,
    binding: bindingRef,
    role: role.role,
    rules: role.rules,
    ...(namespace === undefined ? {} : { namespace }),
  }));
}

/** Every subject's grants, ClusterRoleBindings first, each in the order the cluster listed them. */
export function grantsFrom(objects: RbacObjects): readonly Grant[] {
  const index = roleIndex(objects);
  return [
    ...objects.clusterRoleBindings.flatMap((binding) => grantsOf(binding, "ClusterRoleBinding", index)),
    ...objects.roleBindings.flatMap((binding) => grantsOf(binding, "RoleBinding", index)),
  ];
}
