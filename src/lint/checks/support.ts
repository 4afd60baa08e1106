/**
 * Readers shared by the best-practice checks: JSON navigation that never throws on a malformed
 * manifest (schema validation reports those), label selectors as kube-apiserver evaluates them,
 * and the objects of a namespace, indexed once per run (`LintContext.once`) so cross-object checks
 * stay linear.
 */
import type { LabelRequirement, Labels } from "../../kube/labels/selector.js";
import { LabelOperators, requirementMatches } from "../../kube/labels/selector.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { asList, isJsonObject } from "../../kube/value/json.js";
import { escapePointerToken } from "../../kube/value/pointer.js";
import type { DesiredObject } from "../../model/index.js";
import type { LintContext } from "../types.js";

export function objectOf(value: JsonValue | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

export function listOf(value: JsonValue | undefined): readonly JsonValue[] {
  return asList(value) ?? [];
}

/** `base` + `/key`, escaped as RFC 6901 wants. */
export function pointerJoin(base: string, ...keys: readonly (string | number)[]): string {
  return keys.reduce<string>((pointer, key) => `${pointer}/${escapePointerToken(String(key))}`, base);
}

/** A map of strings (labels, a Service selector): other values are dropped. */
export function stringMapOf(value: JsonValue | undefined): Labels {
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(objectOf(value))) if (typeof item === "string") result[key] = item;
  return result;
}

export function integerOf(value: JsonValue | undefined): number | undefined {
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}

const expressionOperators: Readonly<Record<string, LabelRequirement["operator"]>> = {
  In: LabelOperators.in,
  NotIn: LabelOperators.notIn,
  Exists: LabelOperators.exists,
  DoesNotExist: LabelOperators.doesNotExist,
};

function requirementsOf(selector: JsonObject): readonly LabelRequirement[] | undefined {
  const requirements: LabelRequirement[] = Object.entries(stringMapOf(selector["matchLabels"])).map(
    ([key, value]) => ({ key, operator: LabelOperators.equals, values: [value] }),
  );
  for (const expression of listOf(selector["matchExpressions"])) {
    const { key, operator, values } = objectOf(expression);
    const known = typeof operator === "string" ? expressionOperators[operator] : undefined;
    if (typeof key !== "string" || known === undefined) return undefined;
    const texts = listOf(values).filter((value): value is string => typeof value === "string");
    requirements.push({ key, operator: known, values: texts });
  }
  return requirements;
}

/** Selectors are matched against every pod template of their namespace: parse each once. */
const parsedSelectors = new WeakMap<JsonObject, readonly LabelRequirement[] | undefined>();

/**
 * A `metav1.LabelSelector` against labels: `{}` selects everything (a PodDisruptionBudget's or a
 * NetworkPolicy's whole namespace), an absent selector nothing, an operator kube-apiserver would
 * reject nothing.
 */
export function labelSelectorMatches(selector: JsonValue | undefined, labels: Labels): boolean {
  if (!isJsonObject(selector)) return false;
  let requirements = parsedSelectors.get(selector);
  if (!parsedSelectors.has(selector)) {
    requirements = requirementsOf(selector);
    parsedSelectors.set(selector, requirements);
  }
  return (
    requirements !== undefined && requirements.every((requirement) => requirementMatches(requirement, labels))
  );
}

/** A Service's selector (a plain map): every pair present; an empty one selects nothing (manual Endpoints). */
export function mapSelectorMatches(selector: Labels, labels: Labels): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/** The objects of one kind in one namespace, indexed once per lint run. */
export function ofKindIn(
  context: LintContext,
  kind: { readonly group: string; readonly kind: string },
  namespace: string,
): readonly DesiredObject[] {
  return context.once(`best-practice/of-kind/${kind.group}/${kind.kind}/${namespace}`, () =>
    context.ofKind(kind.group, kind.kind).filter((desired) => desired.ref.namespace === namespace),
  );
}

export function isKind(desired: DesiredObject, group: string, kind: string): boolean {
  return desired.ref.group === group && desired.ref.kind === kind;
}
