import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { selectorMatches } from "../kinds/validation/selector.js";

/** What a write is, as admission.Attributes carries it to the webhook dispatcher. */
export interface AdmissionAttributes {
  readonly operation: "CREATE" | "UPDATE" | "DELETE";
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  /** "" for the object itself. */
  readonly subresource: string;
  /** "" for cluster-scoped objects. */
  readonly namespace: string;
  /** The object after the write (null for DELETE) and before it (null for CREATE). */
  readonly object: KubeObject | null;
  readonly oldObject: KubeObject | null;
  /** Labels of the request's namespace; undefined for cluster-scoped writes. */
  readonly namespaceLabels: Readonly<Record<string, string>> | undefined;
  /** Whether the written object is a Namespace (its own labels then stand for the namespace's). */
  readonly isNamespace: boolean;
}

function strings(value: JsonValue | undefined): readonly string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

const listed = (values: readonly string[], value: string): boolean =>
  values.includes("*") || values.includes(value);

/** `deployments`, `deployments/scale`, `*\/scale`, `*` (objects only) and `*\/*` (everything). */
function resourceMatches(patterns: readonly string[], resource: string, subresource: string): boolean {
  return patterns.some((pattern) => {
    const [name = "", sub = ""] = pattern.split("/", 2);
    return (name === "*" || name === resource) && (sub === "*" || sub === subresource);
  });
}

function scopeMatches(scope: JsonValue | undefined, attributes: AdmissionAttributes): boolean {
  // Namespaces are cluster-scoped, though their writes carry the namespace's own name.
  const clusterScoped = attributes.namespace === "" || attributes.isNamespace;
  if (scope === "Cluster") return clusterScoped;
  if (scope === "Namespaced") return !clusterScoped;
  return true;
}

/** k8s.io/apiserver/pkg/admission/plugin/webhook/predicates/rules.Matcher. */
export function ruleMatches(rule: JsonObject, attributes: AdmissionAttributes): boolean {
  return (
    listed(strings(rule["operations"]), attributes.operation) &&
    listed(strings(rule["apiGroups"]), attributes.group) &&
    listed(strings(rule["apiVersions"]), attributes.version) &&
    resourceMatches(strings(rule["resources"]), attributes.resource, attributes.subresource) &&
    scopeMatches(rule["scope"], attributes)
  );
}

function labelsOf(object: KubeObject | null): Readonly<Record<string, string>> {
  const metadata = object === null ? undefined : object["metadata"];
  const labels = isJsonObject(metadata) ? metadata["labels"] : undefined;
  if (!isJsonObject(labels)) return {};
  return Object.fromEntries(
    Object.entries(labels).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : [])),
  );
}

function selector(webhook: JsonObject, field: string): JsonObject {
  const value = webhook[field];
  return isJsonObject(value) ? value : {};
}

/**
 * namespaceSelector: the labels of the request's namespace (of the Namespace itself when one is
 * written); a write of another cluster-scoped object is never skipped by it.
 */
function namespaceMatches(webhook: JsonObject, attributes: AdmissionAttributes): boolean {
  const wanted = selector(webhook, "namespaceSelector");
  if (attributes.isNamespace)
    return selectorMatches(wanted, labelsOf(attributes.object ?? attributes.oldObject));
  if (attributes.namespaceLabels === undefined) return true;
  return selectorMatches(wanted, attributes.namespaceLabels);
}

/** objectSelector: a match when the old or the new object's labels match it. */
function objectMatches(webhook: JsonObject, attributes: AdmissionAttributes): boolean {
  const wanted = selector(webhook, "objectSelector");
  return [attributes.object, attributes.oldObject].some(
    (object) =>
      (object !== null || Object.keys(wanted).length === 0) && selectorMatches(wanted, labelsOf(object)),
  );
}

/** Whether one of a webhook's rules matches the write (decidable before the object is known). */
export function webhookRulesMatch(webhook: JsonObject, attributes: AdmissionAttributes): boolean {
  const rules = Array.isArray(webhook["rules"]) ? webhook["rules"].filter(isJsonObject) : [];
  return rules.some((rule) => ruleMatches(rule, attributes));
}

/** Whether a webhook is called for this write (its rules, then its selectors). */
export function webhookApplies(webhook: JsonObject, attributes: AdmissionAttributes): boolean {
  return (
    webhookRulesMatch(webhook, attributes) &&
    namespaceMatches(webhook, attributes) &&
    objectMatches(webhook, attributes)
  );
}
