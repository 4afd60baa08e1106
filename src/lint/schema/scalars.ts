import { parseQuantity } from "../../kube/quantity.js";
import type { ScalarKind } from "../../kube/schema/types.js";
import { ScalarKinds } from "../../kube/schema/types.js";
import type { JsonValue } from "../../kube/value/json.js";

/**
 * encoding/json decodes `[]byte` with base64.StdEncoding after dropping "\r" and "\n", so
 * padding is required and the URL alphabet is not accepted.
 */
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** metav1.Time unmarshals with time.Parse(time.RFC3339), which also takes a fraction of a second. */
const rfc3339Pattern =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

function isInteger(value: JsonValue): boolean {
  return typeof value === "number" && Number.isInteger(value);
}

/** Quantity.UnmarshalJSON takes a JSON number as well as a string, and trims surrounding space. */
function isQuantityValue(value: JsonValue): boolean {
  if (typeof value === "number") return Number.isFinite(value) && parseQuantity(String(value)) !== undefined;
  return typeof value === "string" && parseQuantity(value.trim()) !== undefined;
}

function isBase64(value: JsonValue): boolean {
  return typeof value === "string" && base64Pattern.test(value.replace(/[\r\n]/g, ""));
}

function isTime(value: JsonValue): boolean {
  return typeof value === "string" && rfc3339Pattern.test(value);
}

/** Whether a (non-null) JSON value decodes into a field of each scalar kind. */
const accepts: Readonly<Record<ScalarKind, (value: JsonValue) => boolean>> = {
  [ScalarKinds.string]: (value) => typeof value === "string",
  [ScalarKinds.integer]: isInteger,
  [ScalarKinds.number]: (value) => typeof value === "number",
  [ScalarKinds.boolean]: (value) => typeof value === "boolean",
  [ScalarKinds.intOrString]: (value) => typeof value === "string" || isInteger(value),
  [ScalarKinds.quantity]: isQuantityValue,
  [ScalarKinds.bytes]: isBase64,
  [ScalarKinds.time]: isTime,
};

/** What a message says was expected. */
const expectations: Readonly<Record<ScalarKind, string>> = {
  [ScalarKinds.string]: "string",
  [ScalarKinds.integer]: "integer",
  [ScalarKinds.number]: "number",
  [ScalarKinds.boolean]: "boolean",
  [ScalarKinds.intOrString]: "integer or string",
  [ScalarKinds.quantity]: "quantity (such as 500m or 128Mi)",
  [ScalarKinds.bytes]: "base64 string",
  [ScalarKinds.time]: "RFC 3339 time (such as 2026-01-02T15:04:05Z)",
};

export function acceptsScalar(kind: ScalarKind, value: JsonValue): boolean {
  return accepts[kind](value);
}

export function expectedScalar(kind: ScalarKind): string {
  return expectations[kind];
}

/** The JSON type of a value as messages name it. */
export function jsonTypeOf(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

const shownLength = 60;

/** A value in one short line: JSON, cut after 60 characters. */
export function showValue(value: JsonValue): string {
  const json = JSON.stringify(value);
  return json.length > shownLength ? `${json.slice(0, shownLength)}…` : json;
}
