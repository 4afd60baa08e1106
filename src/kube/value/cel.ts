import type { JsonValue } from "./json.js";
import { isJsonObject } from "./json.js";

/**
 * A JSON value as CEL sees an unstructured Kubernetes object: integers are CEL ints (BigInt in
 * `@marcbachmann/cel-js`), as kube-apiserver's int64 fields are, so that `object.spec.replicas == 2`
 * compares int with int; other numbers stay doubles.
 */
export function celValue(value: JsonValue): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(celValue);
  if (isJsonObject(value))
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, celValue(item)]));
  return value;
}
