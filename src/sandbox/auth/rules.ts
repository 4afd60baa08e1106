import { isJsonObject, type JsonObject, type JsonValue } from "../../kube/value/json.js";
import type { RequestAttributes, ResourceAttributes } from "./attributes.js";

/** An rbac.authorization.k8s.io/v1 PolicyRule, read leniently from a stored Role or ClusterRole. */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

function strings(value: JsonValue | undefined): readonly string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

export function policyRule(rule: JsonObject): PolicyRule {
  return {
    verbs: strings(rule["verbs"]),
    apiGroups: strings(rule["apiGroups"]),
    resources: strings(rule["resources"]),
    resourceNames: strings(rule["resourceNames"]),
    nonResourceURLs: strings(rule["nonResourceURLs"]),
  };
}

export function rulesOf(role: JsonObject): readonly PolicyRule[] {
  const rules = role["rules"];
  return Array.isArray(rules) ? rules.filter(isJsonObject).map(policyRule) : [];
}

const all = "*";

function matchesWord(allowed: readonly string[], wanted: string): boolean {
  return allowed.includes(all) || allowed.includes(wanted);
}

/** `deployments/scale` matches `deployments/scale`, `*`, and `* /scale` (any resource's scale). */
function resourceMatches(rule: PolicyRule, request: ResourceAttributes): boolean {
  const combined =
    request.subresource === "" ? request.resource : `${request.resource}/${request.subresource}`;
  return rule.resources.some(
    (resource) =>
      resource === all ||
      resource === combined ||
      (request.subresource !== "" && resource === `*/${request.subresource}`),
  );
}

function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

/** `/healthz` matches `/healthz`; `/apis/*` any path below /apis/; `*` any path. */
function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some(
    (url) => url === all || url === path || (url.endsWith(all) && path.startsWith(url.slice(0, -1))),
  );
}

/** rbac/v1 helpers' RuleAllows: verbs, then groups, resources and names, or non-resource URLs. */
export function ruleAllows(request: RequestAttributes, rule: PolicyRule): boolean {
  if (!matchesWord(rule.verbs, request.verb)) return false;
  if (request.kind === "nonResource") return nonResourceURLMatches(rule, request.path);
  return (
    matchesWord(rule.apiGroups, request.apiGroup) &&
    resourceMatches(rule, request) &&
    resourceNameMatches(rule, request.name)
  );
}
