import type { StatusCause } from "../../api/status.js";
import type { JsonValue } from "../../../kube/value/json.js";
import { isJsonObject } from "../../../kube/value/json.js";

/**
 * Causes rendered as k8s.io/apimachinery/pkg/util/validation/field.Error does
 * (`ErrorBody`): the type's phrase, the bad value (strings %q, numbers and
 * booleans plain, other values as Go's %#v) and the detail.
 */
export const CauseReasons = {
  required: "FieldValueRequired",
  invalid: "FieldValueInvalid",
  notSupported: "FieldValueNotSupported",
  forbidden: "FieldValueForbidden",
  duplicate: "FieldValueDuplicate",
  tooLong: "FieldValueTooLong",
  typeInvalid: "FieldValueTypeInvalid",
} as const;

/** A bad value already rendered the way Go's %#v prints it (maps, structs). */
export interface GoLiteral {
  readonly goLiteral: string;
}

export type BadValue = JsonValue | GoLiteral;

function isGoLiteral(value: BadValue): value is GoLiteral {
  return isJsonObject(value) && typeof value["goLiteral"] === "string" && Object.keys(value).length === 1;
}

/** Go's %q for the strings the API carries (JSON escaping matches it for printable text). */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

export function formatBadValue(value: BadValue): string {
  if (value === null) return "null";
  if (isGoLiteral(value)) return value.goLiteral;
  if (typeof value === "string") return goQuote(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function withDetail(body: string, detail: string): string {
  return detail === "" ? body : `${body}: ${detail}`;
}

export function required(field: string, detail = ""): StatusCause {
  return { reason: CauseReasons.required, message: withDetail("Required value", detail), field };
}

export function invalid(field: string, value: BadValue, detail: string): StatusCause {
  return {
    reason: CauseReasons.invalid,
    message: withDetail(`Invalid value: ${formatBadValue(value)}`, detail),
    field,
  };
}

export function notSupported(field: string, value: BadValue, supported: readonly string[]): StatusCause {
  const detail = supported.length === 0 ? "" : `supported values: ${supported.map(goQuote).join(", ")}`;
  return {
    reason: CauseReasons.notSupported,
    message: withDetail(`Unsupported value: ${formatBadValue(value)}`, detail),
    field,
  };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: CauseReasons.forbidden, message: withDetail("Forbidden", detail), field };
}

export function duplicate(field: string, value: BadValue): StatusCause {
  return { reason: CauseReasons.duplicate, message: `Duplicate value: ${formatBadValue(value)}`, field };
}

export function tooLong(field: string, maxBytes: number): StatusCause {
  return { reason: CauseReasons.tooLong, message: `Too long: must have at most ${maxBytes} bytes`, field };
}

export function typeInvalid(field: string, value: BadValue, detail: string): StatusCause {
  return {
    reason: CauseReasons.typeInvalid,
    message: withDetail(`Invalid value: ${formatBadValue(value)}`, detail),
    field,
  };
}

/** ValidateImmutableField: the new value, then `field is immutable`. */
export function immutable(field: string, value: BadValue): StatusCause {
  return invalid(field, value, "field is immutable");
}

/** Go's %#v of a map[string]string: keys sorted, `map[string]string{"a":"b", "c":"d"}`. */
export function goStringMap(map: Readonly<Record<string, string>> | undefined): GoLiteral {
  if (map === undefined) return { goLiteral: "map[string]string(nil)" };
  const entries = Object.keys(map)
    .sort()
    .map((key) => `${goQuote(key)}:${goQuote(map[key] ?? "")}`);
  return { goLiteral: `map[string]string{${entries.join(", ")}}` };
}

/** Go's %#v of a []string. */
export function goStringSlice(values: readonly string[] | undefined): string {
  if (values === undefined) return "[]string(nil)";
  return `[]string{${values.map(goQuote).join(", ")}}`;
}

/** Builds `spec.containers[0].image` style paths. */
export function child(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

export function index(path: string, position: number): string {
  return `${path}[${position}]`;
}

export function key(path: string, mapKey: string): string {
  return `${path}[${mapKey}]`;
}
