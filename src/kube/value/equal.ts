import type { JsonValue } from "./json.js";

/**
 * Structural equality of JSON values, without serialising (the comparison runs per field of
 * 10,000 objects). Objects are equal when they have the same own keys with equal values: keys come
 * from manifests and requests and may be "constructor" or "__proto__", so `Object.hasOwn`, never `in`.
 */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const aIsList = Array.isArray(a);
  if (aIsList !== Array.isArray(b)) return false;
  if (aIsList) {
    const listA = a as readonly JsonValue[];
    const listB = b as readonly JsonValue[];
    return listA.length === listB.length && listA.every((item, index) => jsonEqual(item, listB[index]));
  }
  const objectA = a as { readonly [key: string]: JsonValue };
  const objectB = b as { readonly [key: string]: JsonValue };
  const keys = Object.keys(objectA);
  if (keys.length !== Object.keys(objectB).length) return false;
  return keys.every((key) => Object.hasOwn(objectB, key) && jsonEqual(objectA[key], objectB[key]));
}
