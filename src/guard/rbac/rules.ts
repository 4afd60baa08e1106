/**
 * RBAC's rule semantics, as kube-apiserver's RBAC authorizer evaluates them
 * (plugin/pkg/auth/authorizer/rbac): a request is allowed when some rule of some role bound to the
 * user names its verb, API group, resource (or `resource/subresource`) and, when the rule lists
 * them, its object's name. Also the aggregation of ClusterRoles by label selectors, as the
 * clusterrole-aggregation controller of kube-controller-manager writes it.
 */
import { labelsOf, metadataOf } from "../../kube/object.js";
import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { asList, isJsonObject, stringOf } from "../../kube/value/json.js";

/** One entry of a role's `rules`, with where it was written (an aggregated role's rules come from others). */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  /** The role whose `rules` hold it, and its index there. */
  readonly origin: { readonly role: string; readonly index: number };
}

/** What a request asks, as RBAC sees it (`name` "" for collection verbs: list, create, deletecollection). */
export interface ResourceRequest {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name: string;
}

export const wildcard = "*";

/** A list of strings; "" is kept, since it names the core API group. */
function strings(value: JsonValue | undefined): readonly string[] {
  return (asList(value) ?? []).filter((item): item is string => typeof item === "string");
}

/** The resource rules of a role's `rules`; nonResourceURLs rules grant nothing on objects. */
export function policyRulesOf(role: KubeObject, roleName: string): readonly PolicyRule[] {
  return (asList(role["rules"]) ?? []).flatMap((item, index): readonly PolicyRule[] => {
    if (!isJsonObject(item)) return [];
    const resources = strings(item["resources"]);
    if (resources.length === 0) return [];
    return [
      {
        verbs: strings(item["verbs"]),
        apiGroups: strings(item["apiGroups"]),
        resources,
        resourceNames: strings(item["resourceNames"]),
        origin: { role: roleName, index },
      },
    ];
  });
}

const has = (values: readonly string[], value: string): boolean =>
  values.includes(wildcard) || values.includes(value);

/** kube-apiserver's ResourceMatches: `*`, the exact `resource/subresource`, or `*\/subresource`. */
export function resourceMatches(rule: PolicyRule, resource: string, subresource?: string): boolean {
  const combined = subresource === undefined ? resource : `${resource}/${subresource}`;
  return rule.resources.some(
    (entry) =>
      entry === wildcard ||
      entry === combined ||
      (subresource !== undefined && entry === `${wildcard}/${subresource}`),
  );
}

/** A request without a name (create, list, deletecollection) never matches a rule that lists names. */
function nameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || (name !== "" && rule.resourceNames.includes(name));
}

export function ruleAllows(rule: PolicyRule, request: ResourceRequest): boolean {
  return (
    has(rule.verbs, request.verb) &&
    has(rule.apiGroups, request.group) &&
    resourceMatches(rule, request.resource, request.subresource) &&
    nameMatches(rule, request.name)
  );
}

type LabelSelector = JsonObject;

function expressionMatches(expression: JsonObject, labels: Readonly<Record<string, string>>): boolean {
  const key = stringOf(expression["key"]);
  const values = strings(expression["values"]);
  const present = Object.hasOwn(labels, key);
  switch (stringOf(expression["operator"])) {
    case "In":
      return present && values.includes(labels[key] ?? "");
    case "NotIn":
      return !present || !values.includes(labels[key] ?? "");
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
    default:
      return false;
  }
}

/** metav1.LabelSelector: every matchLabels pair and every expression; an empty selector selects nothing here, as aggregation treats it. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const matchLabels = isJsonObject(selector["matchLabels"]) ? selector["matchLabels"] : {};
  const expressions = (asList(selector["matchExpressions"]) ?? []).filter(isJsonObject);
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return false;
  return (
    Object.entries(matchLabels).every(([key, value]) => labels[key] === stringOf(value)) &&
    expressions.every((expression) => expressionMatches(expression, labels))
  );
}

function nameOf(object: KubeObject): string {
  return stringOf(metadataOf(object)["name"]);
}

function aggregationSelectors(role: KubeObject): readonly LabelSelector[] | undefined {
  const aggregation = role["aggregationRule"];
  if (!isJsonObject(aggregation)) return undefined;
  return (asList(aggregation["clusterRoleSelectors"]) ?? []).filter(isJsonObject);
}

function ruleKey(rule: PolicyRule): string {
  return JSON.stringify([rule.verbs, rule.apiGroups, rule.resources, rule.resourceNames]);
}

/**
 * Each ClusterRole's rules with aggregation resolved: an aggregated role holds the union of the
 * rules of the ClusterRoles its selectors match, whatever it stores (the controller overwrites it,
 * and a snapshot may be taken before it ran). Followed to the fixpoint, so `admin` gets `view`'s
 * rules through `edit`, each rule kept once and named by the role that wrote it.
 */
export function resolvedClusterRoles(
  clusterRoles: readonly KubeObject[],
): ReadonlyMap<string, readonly PolicyRule[]> {
  const byName = new Map(clusterRoles.map((role) => [nameOf(role), role]));
  const resolved = new Map<string, readonly PolicyRule[]>();
  const resolve = (name: string, visiting: ReadonlySet<string>): readonly PolicyRule[] => {
    const known = resolved.get(name);
    if (known !== undefined) return known;
    const role = byName.get(name);
    if (role === undefined || visiting.has(name)) return [];
    const selectors = aggregationSelectors(role);
    if (selectors === undefined) return policyRulesOf(role, name);
    const next = new Set([...visiting, name]);
    const members = clusterRoles
      .filter((other) => nameOf(other) !== name)
      .filter((other) => selectors.some((selector) => selectorMatches(selector, labelsOf(other))));
    const unique = new Map<string, PolicyRule>();
    for (const member of members)
      for (const rule of resolve(nameOf(member), next))
        if (!unique.has(ruleKey(rule))) unique.set(ruleKey(rule), rule);
    return [...unique.values()];
  };
  for (const name of byName.keys()) resolved.set(name, resolve(name, new Set()));
  return resolved;
}
