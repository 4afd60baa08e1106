import type { JsonObject, JsonValue } from "../kube/value/json.js";
import { pointerTokens } from "../kube/value/pointer.js";

/** Rule 5: null, `{}` and `[]` say nothing, exactly as an absent field. */
export function isEmptyValue(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

/**
 * Without the entries that say nothing (rule 5), at any depth: `kubectl apply` records
 * `"annotations": {}` in its last-applied configuration, which sets no annotation. List items are
 * kept, emptied or not: an item is there.
 */
export function withoutEmptyEntries(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(withoutEmptyEntries);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, JsonValue> = {};
  for (const [key, entry] of Object.entries(value)) {
    const kept = withoutEmptyEntries(entry);
    if (!isEmptyValue(kept)) out[key] = kept;
  }
  return out;
}

/** Own property only: object keys come from manifests and may be "constructor" or "__proto__". */
export function childOf(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function compareTokens(a: string, b: string): number {
  const numberA = /^\d+$/.test(a) ? Number(a) : undefined;
  const numberB = /^\d+$/.test(b) ? Number(b) : undefined;
  if (numberA !== undefined && numberB !== undefined) return numberA - numberB;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Pointer order with list indexes as numbers, so /containers/2 comes before /containers/10. */
export function comparePointers(a: string, b: string): number {
  const left = pointerTokens(a);
  const right = pointerTokens(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = compareTokens(left[i], right[i]);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}
