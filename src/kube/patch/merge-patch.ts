import type { JsonValue } from "../value/json.js";
import { badRequestPatch } from "./errors.js";
import {
  emptyObject,
  fromMutable,
  hasKey,
  isMutableObject,
  toMutable,
  type MutableJson,
  type MutableObject,
} from "./mutable-json.js";

/**
 * JSON Merge Patch (RFC 7386) as kube-apiserver 1.32 applies it through
 * evanphx/json-patch v4 `MergePatch`: null deletes a member, objects merge
 * recursively, everything else (arrays included) replaces. Like v4, nulls are
 * pruned from objects that the patch introduces, including objects nested in
 * arrays, while null array elements are kept.
 */

/** evanphx/json-patch's ErrBadJSONPatch, which kube-apiserver answers with 400 BadRequest. */
export const invalidMergePatchMessage = "Invalid JSON Patch";

export function applyMergePatch(original: JsonValue, patch: JsonValue): JsonValue {
  const patchCopy = toMutable(patch);
  if (Array.isArray(patchCopy)) return fromMutable(pruneNulls(patchCopy));
  if (!isMutableObject(patchCopy)) throw badRequestPatch(invalidMergePatchMessage);
  const document = toMutable(original);
  if (!isMutableObject(document)) return fromMutable(pruneNulls(patchCopy));
  mergeObjects(document, patchCopy);
  return fromMutable(document);
}

function mergeObjects(document: MutableObject, patch: MutableObject): void {
  for (const [key, patchValue] of Object.entries(patch)) {
    if (patchValue === null) {
      delete document[key];
      continue;
    }
    const current = hasKey(document, key) ? document[key] : null;
    document[key] = current === null ? pruneNulls(patchValue) : mergeValue(current, patchValue);
  }
}

function mergeValue(current: MutableJson, patch: MutableJson): MutableJson {
  if (!isMutableObject(current)) return pruneNulls(patch);
  // v4 returns a non-object patch value unpruned when it replaces an object.
  if (!isMutableObject(patch)) return patch;
  mergeObjects(current, patch);
  return current;
}

function pruneNulls(value: MutableJson): MutableJson {
  if (Array.isArray(value)) return value.map((item) => (item === null ? null : pruneNulls(item)));
  if (!isMutableObject(value)) return value;
  const pruned = emptyObject();
  for (const [key, item] of Object.entries(value)) {
    if (item !== null) pruned[key] = pruneNulls(item);
  }
  return pruned;
}
