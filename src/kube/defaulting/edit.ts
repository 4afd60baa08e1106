import type { JsonObject, JsonValue } from "../value/json.js";
import { asList, isJsonObject } from "../value/json.js";
import { valueAtTokens } from "../value/pointer.js";

/**
 * Immutable edits of JSON objects, the vocabulary of the defaulting functions (and of the
 * sandbox's validation and preparation, which read objects the same way).
 */

/** An object-valued field, or undefined when absent or not an object. */
export function objectField(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  return isJsonObject(value) ? value : undefined;
}

/** A list-valued field, or undefined when absent or not a list. */
export function listField(object: JsonObject, key: string): readonly JsonValue[] | undefined {
  return asList(object[key]);
}

/** The object elements of a list field (non-objects are skipped: validation reports them). */
export function objectItems(object: JsonObject, key: string): readonly JsonObject[] {
  return (listField(object, key) ?? []).filter(isJsonObject);
}

export function numberField(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === "number" ? value : undefined;
}

/** The object at a path of field names (never list indexes), or undefined. */
export function objectAt(object: JsonObject, path: readonly string[]): JsonObject | undefined {
  const value = valueAtTokens(object, path);
  return isJsonObject(value) ? value : undefined;
}

/** Go's zero-value test for the pointer and string fields that SetDefaults_* fill: nil, or "". */
export function isUnset(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || value === "";
}

/** Sets each field that is unset (absent, null or ""), keeping the rest. */
export function withDefaults(object: JsonObject, defaults: Readonly<Record<string, JsonValue>>): JsonObject {
  const missing = Object.entries(defaults).filter(([key]) => isUnset(object[key]));
  if (missing.length === 0) return object;
  return { ...object, ...Object.fromEntries(missing) };
}

export function withField(object: JsonObject, key: string, value: JsonValue): JsonObject {
  return { ...object, [key]: value };
}

export function withoutField(object: JsonObject, key: string): JsonObject {
  if (!(key in object)) return object;
  return Object.fromEntries(Object.entries(object).filter(([field]) => field !== key));
}

/** Rewrites an object field when it is present. */
export function updateObject(
  object: JsonObject,
  key: string,
  update: (child: JsonObject) => JsonObject,
): JsonObject {
  const child = objectField(object, key);
  return child === undefined ? object : withField(object, key, update(child));
}

/** Rewrites an object field, starting from `{}` when it is absent. */
export function ensureObject(
  object: JsonObject,
  key: string,
  update: (child: JsonObject) => JsonObject,
): JsonObject {
  return withField(object, key, update(objectField(object, key) ?? {}));
}

/** Rewrites the object elements of a list field when it is present. */
export function updateItems(
  object: JsonObject,
  key: string,
  update: (item: JsonObject, index: number) => JsonObject,
): JsonObject {
  const list = listField(object, key);
  if (list === undefined) return object;
  return withField(
    object,
    key,
    list.map((item, index) => (isJsonObject(item) ? update(item, index) : item)),
  );
}

/** Rewrites the object at a path of keys when every step is present. */
export function updateAt(
  object: JsonObject,
  path: readonly string[],
  update: (child: JsonObject) => JsonObject,
): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return update(object);
  return updateObject(object, head, (child) => updateAt(child, rest, update));
}

/** A string-to-string map field (labels, annotations, matchLabels), ignoring non-string values. */
export function stringMap(
  object: JsonObject | undefined,
  key: string,
): Readonly<Record<string, string>> | undefined {
  const value = object === undefined ? undefined : objectField(object, key);
  if (value === undefined) return undefined;
  const entries = Object.entries(value).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  return Object.fromEntries(entries);
}

/** A string value, or `fallback` for anything else. */
export function stringOr(value: JsonValue | undefined, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}
