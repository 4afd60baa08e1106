import type { StatusCause } from "../../api/status.js";
import type { JsonObject, JsonValue } from "../../../kube/value/json.js";
import { isJsonObject } from "../../../kube/value/json.js";
import { objectItems, stringMap } from "../../../kube/defaulting/edit.js";
import type { GoLiteral } from "./field.js";
import { child, forbidden, goQuote, goStringMap, goStringSlice, index, invalid, required } from "./field.js";
import { validateLabels } from "./metadata.js";
import { isQualifiedName } from "./names.js";

function stringList(value: JsonValue | undefined): readonly string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined;
}

function goRequirement(requirement: JsonObject): string {
  const key = typeof requirement["key"] === "string" ? requirement["key"] : "";
  const operator = typeof requirement["operator"] === "string" ? requirement["operator"] : "";
  const values = goStringSlice(stringList(requirement["values"]));
  return `v1.LabelSelectorRequirement{Key:${goQuote(key)}, Operator:${goQuote(operator)}, Values:${values}}`;
}

/** Go's %#v of a metav1.LabelSelector, as `field is immutable` errors print it. */
export function goLabelSelector(selector: JsonObject | undefined): GoLiteral {
  if (selector === undefined) return { goLiteral: "null" };
  const matchLabels = goStringMap(stringMap(selector, "matchLabels")).goLiteral;
  const expressions = Array.isArray(selector["matchExpressions"])
    ? `[]v1.LabelSelectorRequirement{${objectItems(selector, "matchExpressions").map(goRequirement).join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return { goLiteral: `v1.LabelSelector{MatchLabels:${matchLabels}, MatchExpressions:${expressions}}` };
}

function requirementMatches(requirement: JsonObject, labels: Readonly<Record<string, string>>): boolean {
  const key = typeof requirement["key"] === "string" ? requirement["key"] : "";
  const values = stringList(requirement["values"]) ?? [];
  const value = labels[key];
  switch (requirement["operator"]) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    default:
      return false;
  }
}

export function selectorIsEmpty(selector: JsonObject): boolean {
  const matchLabels = stringMap(selector, "matchLabels") ?? {};
  return Object.keys(matchLabels).length === 0 && objectItems(selector, "matchExpressions").length === 0;
}

/** labels.Selector.Matches for a metav1.LabelSelector. */
export function selectorMatches(selector: JsonObject, labels: Readonly<Record<string, string>>): boolean {
  const matchLabels = stringMap(selector, "matchLabels") ?? {};
  const labelsMatch = Object.entries(matchLabels).every(([labelKey, value]) => labels[labelKey] === value);
  return (
    labelsMatch && objectItems(selector, "matchExpressions").every((item) => requirementMatches(item, labels))
  );
}

function validateRequirement(requirement: JsonObject, path: string): readonly StatusCause[] {
  const operator = requirement["operator"];
  const values = stringList(requirement["values"]) ?? [];
  const key = typeof requirement["key"] === "string" ? requirement["key"] : "";
  const keyErrors = isQualifiedName(key).map((message) => invalid(child(path, "key"), key, message));
  switch (operator) {
    case "In":
    case "NotIn":
      return values.length === 0
        ? [
            required(child(path, "values"), "must be specified when `operator` is 'In' or 'NotIn'"),
            ...keyErrors,
          ]
        : keyErrors;
    case "Exists":
    case "DoesNotExist":
      return values.length > 0
        ? [
            forbidden(
              child(path, "values"),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
            ...keyErrors,
          ]
        : keyErrors;
    default:
      return [
        invalid(child(path, "operator"), operator ?? null, "not a valid selector operator"),
        ...keyErrors,
      ];
  }
}

/** ValidateLabelSelector (apimachinery's metav1 validation). */
export function validateLabelSelector(selector: JsonValue | undefined, path: string): readonly StatusCause[] {
  if (!isJsonObject(selector)) return [];
  return [
    ...validateLabels(selector["matchLabels"], child(path, "matchLabels")),
    ...objectItems(selector, "matchExpressions").flatMap((requirement, position) =>
      validateRequirement(requirement, index(child(path, "matchExpressions"), position)),
    ),
  ];
}
