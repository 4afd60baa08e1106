import { isJsonObject, textOf, type JsonObject, type KubeObject } from "../../kube/value/json.js";
import type { UserRules } from "./rbac.js";
import type { PolicyRule } from "./rules.js";

function resourceRule(rule: PolicyRule): JsonObject {
  return {
    verbs: [...rule.verbs],
    apiGroups: [...rule.apiGroups],
    resources: [...rule.resources],
    ...(rule.resourceNames.length === 0 ? {} : { resourceNames: [...rule.resourceNames] }),
  };
}

/** The namespace a SelfSubjectRulesReview asks about. */
export function rulesReviewNamespace(review: KubeObject): string {
  const spec = review["spec"];
  return isJsonObject(spec) ? textOf(spec["namespace"]) : "";
}

/**
 * authorization.k8s.io/v1 SelfSubjectRulesReview (`kubectl auth can-i --list`): the rules the
 * requester's bindings grant in the namespace, resource and non-resource rules apart, and
 * `incomplete` with the error when a binding names a missing role, as kube-apiserver answers.
 */
export function selfSubjectRulesReview(review: KubeObject, granted: UserRules): KubeObject {
  const resourceRules = granted.rules.filter((rule) => rule.nonResourceURLs.length === 0).map(resourceRule);
  const nonResourceRules = granted.rules
    .filter((rule) => rule.nonResourceURLs.length > 0)
    .map((rule) => ({ verbs: [...rule.verbs], nonResourceURLs: [...rule.nonResourceURLs] }));
  const error = granted.errors.length === 0 ? {} : { evaluationError: granted.errors.join(", ") };
  return {
    kind: "SelfSubjectRulesReview",
    apiVersion: "authorization.k8s.io/v1",
    metadata: { creationTimestamp: null },
    spec: { namespace: rulesReviewNamespace(review) },
    status: { resourceRules, nonResourceRules, incomplete: granted.errors.length > 0, ...error },
  };
}
