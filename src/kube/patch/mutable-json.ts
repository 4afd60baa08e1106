import type { JsonValue } from "../value/json.js";
import { isRecord } from "../value/json.js";

/**
 * Working copies for the patch algorithms, which are ports of mutating Go code.
 * Objects have a null prototype so that a `__proto__` key in a patch is an
 * ordinary key and cannot reach Object.prototype.
 */
export type MutableJson = null | boolean | number | string | MutableJson[] | MutableObject;
export interface MutableObject {
  [key: string]: MutableJson;
}

export function isMutableObject(value: MutableJson | undefined): value is MutableObject {
  return isRecord(value);
}

export function hasKey(object: MutableObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

export function emptyObject(): MutableObject {
  return Object.create(null) as MutableObject;
}

export function toMutable(value: JsonValue): MutableJson {
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(toMutable);
  if (typeof value !== "object" || value === null) return value;
  const copy = emptyObject();
  for (const [key, item] of Object.entries(value)) copy[key] = toMutable(item);
  return copy;
}

export function fromMutable(value: MutableJson): JsonValue {
  if (Array.isArray(value)) return value.map(fromMutable);
  if (!isMutableObject(value)) return value;
  // Object.fromEntries defines own properties, so a `__proto__` key stays data.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromMutable(item)]));
}
