import type { PolicyRule } from "./rules.js";

/**
 * RBAC's escalation check (pkg/registry/rbac/validation): a rule is split into rules of one group,
 * resource, verb and name each, and every piece must be covered by a rule its writer holds.
 */
function piece(fields: Partial<PolicyRule>): PolicyRule {
  return { verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...fields };
}

function resourcePieces(rule: PolicyRule): readonly PolicyRule[] {
  const names = rule.resourceNames.length === 0 ? [undefined] : rule.resourceNames;
  return rule.apiGroups.flatMap((group) =>
    rule.resources.flatMap((resource) =>
      rule.verbs.flatMap((verb) =>
        names.map((name) =>
          piece({
            apiGroups: [group],
            resources: [resource],
            verbs: [verb],
            resourceNames: name === undefined ? [] : [name],
          }),
        ),
      ),
    ),
  );
}

/** BreakdownRule. */
export function breakdown(rule: PolicyRule): readonly PolicyRule[] {
  const urls = rule.nonResourceURLs.flatMap((url) =>
    rule.verbs.map((verb) => piece({ nonResourceURLs: [url], verbs: [verb] })),
  );
  return [...resourcePieces(rule), ...urls];
}

const all = "*";

function hasAll(set: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((item) => set.includes(item));
}

/** `*`, the exact resource, or `* /sub` for a subresource. */
function resourcesCovered(owner: readonly string[], wanted: readonly string[]): boolean {
  if (owner.includes(all)) return true;
  return wanted.every((path) => {
    if (owner.includes(path)) return true;
    const slash = path.indexOf("/");
    return slash !== -1 && owner.includes(`*/${path.slice(slash + 1)}`);
  });
}

function urlCovered(owner: string, path: string): boolean {
  return owner === path || (owner.endsWith(all) && path.startsWith(owner.replace(/\*+$/, "")));
}

function namesCovered(owner: PolicyRule, wanted: PolicyRule): boolean {
  if (owner.resourceNames.length === 0) return true;
  return wanted.resourceNames.length > 0 && hasAll(owner.resourceNames, wanted.resourceNames);
}

function ruleCovers(owner: PolicyRule, wanted: PolicyRule): boolean {
  return (
    (owner.verbs.includes(all) || hasAll(owner.verbs, wanted.verbs)) &&
    (owner.apiGroups.includes(all) || hasAll(owner.apiGroups, wanted.apiGroups)) &&
    resourcesCovered(owner.resources, wanted.resources) &&
    namesCovered(owner, wanted) &&
    wanted.nonResourceURLs.every((path) => owner.nonResourceURLs.some((url) => urlCovered(url, path)))
  );
}

/** The pieces of `wanted` that no rule of `owner` covers (Covers). */
export function uncovered(
  owner: readonly PolicyRule[],
  wanted: readonly PolicyRule[],
): readonly PolicyRule[] {
  return wanted.flatMap(breakdown).filter((part) => !owner.some((rule) => ruleCovers(rule, part)));
}

/** CompactRules: pieces of one group, resource and name differ only by verb and are shown as one. */
function compact(rules: readonly PolicyRule[]): readonly PolicyRule[] {
  const simple = new Map<string, PolicyRule>();
  const rest: PolicyRule[] = [];
  for (const rule of rules) {
    if (rule.nonResourceURLs.length > 0) {
      rest.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups, rule.resources, rule.resourceNames]);
    const existing = simple.get(key);
    simple.set(
      key,
      existing === undefined ? rule : { ...existing, verbs: [...existing.verbs, ...rule.verbs] },
    );
  }
  return [...rest, ...simple.values()];
}

/** Go's `%q` of a []string: `["a" "b"]`. */
export function goQuotedList(values: readonly string[]): string {
  return `[${values.map((value) => JSON.stringify(value)).join(" ")}]`;
}

/** rbacv1helpers.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`. */
function compactString(rule: PolicyRule): string {
  const parts: readonly (readonly [string, readonly string[]])[] = [
    ["APIGroups", rule.apiGroups],
    ["Resources", rule.resources],
    ["NonResourceURLs", rule.nonResourceURLs],
    ["ResourceNames", rule.resourceNames],
    ["Verbs", rule.verbs],
  ];
  const shown = parts
    .filter(([, values]) => values.length > 0)
    .map(([name, values]) => `${name}:${goQuotedList(values)}`);
  return `{${shown.join(", ")}}`;
}

/** The sorted, de-duplicated descriptions of what is missing, one per line, as ConfirmNoEscalation lists them. */
export function describeMissing(missing: readonly PolicyRule[]): string {
  return [...new Set(compact(missing).map(compactString))].sort().join("\n");
}
