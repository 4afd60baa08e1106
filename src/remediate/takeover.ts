import { decodeFieldsV1, displayPath } from "../kube/fieldpath/index.js";
import { managedFieldsOf } from "../kube/fieldpath/managed.js";
import { jsonEqual } from "../kube/value/equal.js";
import type { JsonValue, KubeObject } from "../kube/value/json.js";
import { isJsonObject, stringOf } from "../kube/value/json.js";

/**
 * Each entry's raw `fieldsV1` by the manager's identity (name, operation, the apiVersion of an
 * Update, subresource): most come back untouched and need no decoding.
 */
function rawFieldsOf(object: KubeObject): ReadonlyMap<string, JsonValue | undefined> {
  const out = new Map<string, JsonValue | undefined>();
  for (const entry of managedFieldsOf(object)) {
    if (!isJsonObject(entry)) continue;
    const operation = stringOf(entry["operation"]);
    const apiVersion = operation === "Apply" ? "" : stringOf(entry["apiVersion"]);
    const identity = [stringOf(entry["manager"]), operation, apiVersion, stringOf(entry["subresource"])];
    out.set(JSON.stringify(identity), entry["fieldsV1"]);
  }
  return out;
}

/**
 * The fields a forced server-side apply by `self` took from other managers, read from the object
 * before it and the server's answer to it (a dry run): server-side apply with `force` removes
 * exactly the conflicting fields from their owners' sets (structured-merge-diff's Updater), so
 * what any other manager owned before and no longer owns are the conflicts the same apply without
 * `force` would have named, in the server's notation (`.spec.replicas`). Undefined when the
 * entries cannot be read, or before has none; the caller then asks the server instead.
 */
export function takenOver(
  before: KubeObject,
  after: KubeObject,
  self: string,
): readonly string[] | undefined {
  // Without the owners of before (an object read without its managedFields) nothing can be told.
  if (managedFieldsOf(before).length === 0) return undefined;
  try {
    const was = rawFieldsOf(before);
    const now = rawFieldsOf(after);
    // Its own Apply entry gains the fields; an Update entry of the same name is another manager.
    const own = JSON.stringify([self, "Apply", "", ""]);
    const taken = new Set<string>();
    for (const [identity, fields] of was) {
      const kept = now.get(identity);
      if (identity === own || jsonEqual(fields, kept)) continue;
      const owned = decodeFieldsV1(fields ?? {});
      const lost = kept === undefined ? owned : owned.difference(decodeFieldsV1(kept));
      for (const path of lost) taken.add(displayPath(path));
    }
    return [...taken].sort();
  } catch {
    return undefined;
  }
}
