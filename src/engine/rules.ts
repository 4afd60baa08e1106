import type { Drift } from "../model/index.js";
import { matchesAnyName, matchesName } from "./patterns.js";
import type { IgnoreRule, PolicyMode, PolicyRule, RedactRule, RuleScope } from "./types.js";
import { pointerTokens } from "../kube/value/pointer.js";
import type { ObjectRef } from "../kube/object.js";

/** A kind in a rule: `Deployment` (any group), `apps/Deployment`, `/ConfigMap` (core) or `Deployment.apps`. */
function kindMatches(entry: string, ref: ObjectRef): boolean {
  if (entry.includes("/")) return matchesName(entry, `${ref.group}/${ref.kind}`);
  const dot = entry.indexOf(".");
  if (dot > 0)
    return matchesName(entry.slice(0, dot), ref.kind) && matchesName(entry.slice(dot + 1), ref.group);
  return matchesName(entry, ref.kind);
}

export function inRuleScope(scope: RuleScope, ref: ObjectRef): boolean {
  if (scope.kinds !== undefined && !scope.kinds.some((entry) => kindMatches(entry, ref))) return false;
  if (scope.namespaces !== undefined && !matchesAnyName(scope.namespaces, ref.namespace)) return false;
  return scope.names === undefined || matchesAnyName(scope.names, ref.name);
}

/**
 * A path pattern covers a drift at the same path or below it; `*` is any one segment (a list
 * index, a map key): `/spec/template/spec/containers/*` + `/image`.
 */
export function pathMatches(pattern: string, path: string): boolean {
  const wanted = pointerTokens(pattern);
  const actual = pointerTokens(path);
  if (wanted.length > actual.length) return false;
  return wanted.every((token, index) => token === "*" || token === actual[index]);
}

function ignores(rule: IgnoreRule, drift: Drift): boolean {
  if (rule.kind === "path") return pathMatches(rule.path, drift.path);
  return drift.attribution !== undefined && matchesName(rule.manager, drift.attribution.manager);
}

export function isIgnored(rules: readonly IgnoreRule[], ref: ObjectRef, drift: Drift): boolean {
  return rules.some((rule) => inRuleScope(rule, ref) && ignores(rule, drift));
}

export function isRedacted(rules: readonly RedactRule[], ref: ObjectRef, path: string): boolean {
  return rules.some((rule) => inRuleScope(rule, ref) && pathMatches(rule.path, path));
}

/**
 * The last rule, in file order, whose scope holds `ref` and whose path (if any) covers `path`
 * (path "" is the whole object, which only rules without a path cover).
 */
export function lastMatchingRule<R extends RuleScope & { readonly path?: string }>(
  rules: readonly R[],
  ref: ObjectRef,
  path: string,
): R | undefined {
  return rules.findLast(
    (rule) => inRuleScope(rule, ref) && (rule.path === undefined || pathMatches(rule.path, path)),
  );
}

/** The policy of one drift of `ref`: the last matching rule's, else `fallback`. */
export function policyFor(
  rules: readonly PolicyRule[],
  ref: ObjectRef,
  path: string,
  fallback: PolicyMode,
): PolicyMode {
  return lastMatchingRule(rules, ref, path)?.mode ?? fallback;
}
