/**
 * `rbac -o json`: the `kubedrift.dev/v1` `RbacReport`. Its fields keep their meaning as the shape
 * grows, as the DriftReport's do.
 */
import type { JsonObject } from "../../kube/value/json.js";
import type { Access, ObjectAccess, SubjectAccess, Via } from "./access.js";
import { isUnblockedOutsider } from "./access.js";
import type { RbacAnalysis } from "./analyze.js";
import type { BindingRef, Subject } from "./bindings.js";
import { usernameOf } from "./bindings.js";
import type { RiskyGrant } from "./risky.js";

function subjectJson(subject: Subject): JsonObject {
  return {
    kind: subject.kind,
    name: subject.name,
    ...(subject.namespace === undefined ? {} : { namespace: subject.namespace }),
    ...(subject.kind === "ServiceAccount" ? { username: usernameOf(subject) } : {}),
  };
}

function bindingJson(binding: BindingRef): JsonObject {
  return {
    kind: binding.kind,
    ...(binding.namespace === undefined ? {} : { namespace: binding.namespace }),
    name: binding.name,
  };
}

function viaJson(via: Via): JsonObject {
  return {
    binding: bindingJson(via.binding),
    role: { kind: via.role.kind, name: via.role.name },
    rule: { role: via.rule.role, index: via.rule.index },
  };
}

function writeJson(access: Access): JsonObject {
  return {
    verb: access.mutation.verb,
    ...(access.mutation.subresource === undefined ? {} : { subresource: access.mutation.subresource }),
    guard: access.guard,
    via: access.via.map(viaJson),
  };
}

function subjectAccessJson(subject: SubjectAccess): JsonObject {
  return {
    ...subjectJson(subject.subject),
    allowed: subject.allowed,
    unblocked: subject.accesses.some((access) => isUnblockedOutsider(subject, access)),
    writes: subject.accesses.map(writeJson),
  };
}

function objectJson(object: ObjectAccess): JsonObject {
  const { ref, source } = object.target;
  return {
    apiVersion: ref.group === "" ? ref.version : `${ref.group}/${ref.version}`,
    kind: ref.kind,
    ...(ref.namespace === "" ? {} : { namespace: ref.namespace }),
    name: ref.name,
    ...(source === undefined ? {} : { source: { file: source.file, line: source.line } }),
    subjects: object.subjects.map(subjectAccessJson),
  };
}

function riskyJson(risky: RiskyGrant): JsonObject {
  return {
    id: risky.id,
    severity: risky.severity,
    message: risky.summary,
    subjects: risky.subjects.map(subjectJson),
    binding: bindingJson(risky.grant.binding),
    role: { kind: risky.grant.role.kind, name: risky.grant.role.name },
    ...(risky.rule === undefined ? {} : { rule: { role: risky.rule.role, index: risky.rule.index } }),
    ...(risky.grant.namespace === undefined ? {} : { namespace: risky.grant.namespace }),
  };
}

function summaryOf(analysis: RbacAnalysis): JsonObject {
  const unblocked = analysis.objects.flatMap((object) =>
    object.subjects.filter((subject) =>
      subject.accesses.some((access) => isUnblockedOutsider(subject, access)),
    ),
  );
  return {
    objects: analysis.objects.length,
    writable: analysis.objects.filter((object) => object.subjects.length > 0).length,
    unblockedSubjects: unblocked.length,
    riskyGrants: analysis.riskyGrants.length,
  };
}

export function rbacDocument(
  analysis: RbacAnalysis,
  context: { readonly generatedAt: string; readonly cluster: string },
): JsonObject {
  return {
    apiVersion: "kubedrift.dev/v1",
    kind: "RbacReport",
    generatedAt: context.generatedAt,
    cluster: context.cluster,
    guarded: analysis.guarded,
    summary: summaryOf(analysis),
    objects: analysis.objects.map(objectJson),
    riskyGrants: analysis.riskyGrants.map(riskyJson),
  };
}
