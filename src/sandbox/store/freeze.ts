import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { metadataOf } from "../../kube/object.js";

/**
 * Freezes a JSON value and everything under it. Stored objects are shared by every reader
 * (GET, list, watch), so freezing is what makes handing them out without a copy safe.
 */
export function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  Object.freeze(value);
  const children: readonly JsonValue[] = Array.isArray(value) ? value : Object.values(value as JsonObject);
  for (const child of children) deepFreeze(child);
  return value;
}

/** The object with `metadata.resourceVersion` replaced; only the top level and metadata are new. */
export function withResourceVersion(object: KubeObject, resourceVersion: number): KubeObject {
  return { ...object, metadata: { ...metadataOf(object), resourceVersion: String(resourceVersion) } };
}
