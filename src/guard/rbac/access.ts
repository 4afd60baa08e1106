/**
 * For each managed object: who may write it (update, patch, delete — also as a whole collection —
 * and scale), through which binding and rule, and what the guard of kubedrift.yaml does to such a
 * write when it would make the object drift.
 */
import { lastMatchingRule } from "../../engine/index.js";
import type { GuardAction, GuardConfig } from "../../engine/index.js";
import type { ObjectRef } from "../../kube/object.js";
import type { SourceLocation } from "../../model/index.js";
import type { BindingRef, Grant, RoleRef, Subject } from "./bindings.js";
import { subjectKey, usernameOf } from "./bindings.js";
import type { PolicyRule } from "./rules.js";
import { ruleAllows } from "./rules.js";

/** A managed object and how the API serves its kind. */
export interface ManagedTarget {
  readonly ref: ObjectRef;
  readonly source?: SourceLocation;
  /** Plural: "deployments". */
  readonly resource: string;
  readonly namespaced: boolean;
}

export interface Mutation {
  readonly verb: "update" | "patch" | "delete" | "deletecollection";
  readonly subresource?: "scale";
}

/** Kinds whose API has the `scale` subresource (kubectl scale, HPAs). */
const scalableKinds = new Set([
  "apps/Deployment",
  "apps/ReplicaSet",
  "apps/StatefulSet",
  "/ReplicationController",
]);

export function mutationsOf(target: ManagedTarget): readonly Mutation[] {
  const object: readonly Mutation[] = [
    { verb: "update" },
    { verb: "patch" },
    { verb: "delete" },
    { verb: "deletecollection" },
  ];
  if (!scalableKinds.has(`${target.ref.group}/${target.ref.kind}`)) return object;
  return [...object, { verb: "update", subresource: "scale" }, { verb: "patch", subresource: "scale" }];
}

/** `update`, `patch scale`. */
export function describeMutation(mutation: Mutation): string {
  return mutation.subresource === undefined ? mutation.verb : `${mutation.verb} ${mutation.subresource}`;
}

export interface Via {
  readonly binding: BindingRef;
  readonly role: RoleRef;
  /** The rule: its role (another than `role` when aggregated into it) and index in that role's `rules`. */
  readonly rule: PolicyRule["origin"];
}

/**
 * What admission does to a write of this subject that makes the object drift: `blocked` (a deny
 * rule), `deployer` (an allowed identity: passes), `warn` and `audit` (pass), `unguarded` (no
 * `guard:` in kubedrift.yaml).
 */
export type GuardVerdict = "blocked" | "deployer" | Exclude<GuardAction, "deny"> | "unguarded";

export interface Access {
  readonly mutation: Mutation;
  readonly via: readonly Via[];
  readonly guard: GuardVerdict;
}

export interface SubjectAccess {
  readonly subject: Subject;
  /** In `guard.allow`: a deployer. */
  readonly allowed: boolean;
  readonly accesses: readonly Access[];
}

export interface ObjectAccess {
  readonly target: ManagedTarget;
  readonly subjects: readonly SubjectAccess[];
}

/**
 * Whether the guard lets this subject's writes through as a deployer's. A ServiceAccount is also
 * each of its groups (`system:serviceaccounts`, `system:serviceaccounts:NS`); a group subject is
 * allowed only as a whole, since its other members are not.
 */
export function isAllowedIdentity(guard: GuardConfig | undefined, subject: Subject): boolean {
  if (guard === undefined) return false;
  if (subject.kind === "Group") return guard.allow.groups.includes(subject.name);
  if (guard.allow.users.includes(usernameOf(subject))) return true;
  if (subject.kind !== "ServiceAccount") return false;
  const groups = ["system:serviceaccounts", `system:serviceaccounts:${subject.namespace ?? ""}`];
  return groups.some((group) => guard.allow.groups.includes(group));
}

/** A scale write changes `/spec/replicas` only; every other write may drift the object as a whole. */
function guardVerdict(
  guard: GuardConfig | undefined,
  ref: ObjectRef,
  mutation: Mutation,
  allowed: boolean,
): GuardVerdict {
  if (guard === undefined) return "unguarded";
  if (allowed) return "deployer";
  const path = mutation.subresource === "scale" ? "/spec/replicas" : "";
  const action = lastMatchingRule(guard.rules, ref, path)?.action ?? guard.default;
  return action === "deny" ? "blocked" : action;
}

/** A RoleBinding's rules apply to requests in its namespace only: never to cluster-scoped objects. */
function grantApplies(grant: Grant, target: ManagedTarget): boolean {
  if (grant.namespace === undefined) return true;
  return target.namespaced && grant.namespace === target.ref.namespace;
}

function viasOf(grant: Grant, target: ManagedTarget, mutation: Mutation): readonly Via[] {
  if (!grantApplies(grant, target)) return [];
  const request = {
    verb: mutation.verb,
    group: target.ref.group,
    resource: target.resource,
    ...(mutation.subresource === undefined ? {} : { subresource: mutation.subresource }),
    // A collection verb names no object.
    name: mutation.verb === "deletecollection" ? "" : target.ref.name,
  };
  return grant.rules
    .filter((rule) => ruleAllows(rule, request))
    .map((rule) => ({ binding: grant.binding, role: grant.role, rule: rule.origin }));
}

function subjectAccess(
  subject: Subject,
  grants: readonly Grant[],
  target: ManagedTarget,
  guard: GuardConfig | undefined,
): SubjectAccess | undefined {
  const allowed = isAllowedIdentity(guard, subject);
  const accesses = mutationsOf(target).flatMap((mutation): readonly Access[] => {
    const via = grants.flatMap((grant) => viasOf(grant, target, mutation));
    if (via.length === 0) return [];
    return [{ mutation, via, guard: guardVerdict(guard, target.ref, mutation, allowed) }];
  });
  return accesses.length === 0 ? undefined : { subject, allowed, accesses };
}

const kindOrder = { User: 0, Group: 1, ServiceAccount: 2 } as const;

function compareSubjects(a: Subject, b: Subject): number {
  return (
    kindOrder[a.kind] - kindOrder[b.kind] ||
    (a.namespace ?? "").localeCompare(b.namespace ?? "") ||
    a.name.localeCompare(b.name)
  );
}

/** Each subject named by a binding, with the writes its grants allow on the object (none: left out). */
export function objectAccess(
  target: ManagedTarget,
  grants: readonly Grant[],
  guard: GuardConfig | undefined,
): ObjectAccess {
  const bySubject = new Map<string, { subject: Subject; grants: Grant[] }>();
  for (const grant of grants) {
    const key = subjectKey(grant.subject);
    const entry = bySubject.get(key) ?? { subject: grant.subject, grants: [] };
    entry.grants.push(grant);
    bySubject.set(key, entry);
  }
  const subjects = [...bySubject.values()]
    .sort((a, b) => compareSubjects(a.subject, b.subject))
    .flatMap((entry) => subjectAccess(entry.subject, entry.grants, target, guard) ?? []);
  return { target, subjects };
}

/** A write by someone who is not a deployer that admission lets through: drift can start here. */
export function isUnblockedOutsider(subject: SubjectAccess, access: Access): boolean {
  return !subject.allowed && access.guard !== "blocked";
}
