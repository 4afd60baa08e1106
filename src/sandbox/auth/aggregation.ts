import { isJsonObject, textOf, type JsonObject, type KubeObject } from "../../kube/value/json.js";
import { jsonEqual } from "../../kube/value/equal.js";
import { labelsOf, metadataOf } from "../../kube/object.js";
import { SelectorParseError, parseLabelSelector } from "../../kube/labels/selector.js";
import { selectorString } from "../server/subresources.js";

function selectorsOf(role: KubeObject): readonly JsonObject[] | undefined {
  const rule = role["aggregationRule"];
  if (!isJsonObject(rule)) return undefined;
  const selectors = rule["clusterRoleSelectors"];
  return Array.isArray(selectors) ? selectors.filter(isJsonObject) : [];
}

function matcher(selector: JsonObject): (role: KubeObject) => boolean {
  try {
    const parsed = parseLabelSelector(selectorString(selector));
    return (role) => parsed.matches(labelsOf(role));
  } catch (error: unknown) {
    // The controller skips a selector it cannot convert rather than failing the whole role.
    if (error instanceof SelectorParseError) return () => false;
    throw error;
  }
}

function nameOf(role: KubeObject): string {
  return textOf(metadataOf(role)["name"]);
}

function rulesOf(role: KubeObject): readonly JsonObject[] {
  const rules = role["rules"];
  return Array.isArray(rules) ? rules.filter(isJsonObject) : [];
}

/**
 * The rules the clusterrole-aggregation controller gives an aggregated ClusterRole: the rules of
 * every other ClusterRole that any of its selectors matches, the roles taken in name order and each
 * rule once. Undefined for a ClusterRole without an aggregationRule, whose rules are its own.
 */
export function aggregatedRules(
  role: KubeObject,
  clusterRoles: readonly KubeObject[],
): readonly JsonObject[] | undefined {
  const selectors = selectorsOf(role);
  if (selectors === undefined) return undefined;
  const matchers = selectors.map(matcher);
  const self = nameOf(role);
  const sources = clusterRoles
    .filter((candidate) => nameOf(candidate) !== self && matchers.some((matches) => matches(candidate)))
    .sort((left, right) => (nameOf(left) < nameOf(right) ? -1 : 1));
  const rules: JsonObject[] = [];
  for (const rule of sources.flatMap(rulesOf))
    if (!rules.some((existing) => jsonEqual(existing, rule))) rules.push(rule);
  return rules;
}

/** The aggregated ClusterRoles whose stored rules differ from what aggregation gives them now. */
export function staleAggregations(clusterRoles: readonly KubeObject[]): readonly KubeObject[] {
  return clusterRoles.flatMap((role) => {
    const rules = aggregatedRules(role, clusterRoles);
    if (rules === undefined || jsonEqual(rules, rulesOf(role))) return [];
    return [{ ...role, rules: [...rules] }];
  });
}
