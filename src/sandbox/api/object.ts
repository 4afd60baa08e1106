import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { metadataOf } from "../../kube/object.js";

/** Returns `object` with metadata fields replaced (undefined removes a field). */
export function withMetadata(
  object: KubeObject,
  changes: Readonly<Record<string, JsonValue | undefined>>,
): KubeObject {
  const metadata: Record<string, JsonValue> = { ...metadataOf(object) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete metadata[key];
    else metadata[key] = value;
  }
  return { ...object, metadata };
}

/** Returns `object` with top-level fields replaced (undefined removes a field). */
export function withFields(
  object: KubeObject,
  changes: Readonly<Record<string, JsonValue | undefined>>,
): KubeObject {
  const result: Record<string, JsonValue> = { ...object };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete result[key];
    else result[key] = value;
  }
  return result;
}

/** A nested value by plain field names; undefined when any step is missing. */
export function valueAt(object: JsonValue, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = object;
  for (const key of path) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Returns `object` with a nested value set, creating objects on the way. */
export function setValueAt(object: JsonObject, path: readonly string[], value: JsonValue): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return object;
  if (rest.length === 0) return { ...object, [head]: value };
  const child = object[head];
  return { ...object, [head]: setValueAt(isJsonObject(child) ? child : {}, rest, value) };
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
